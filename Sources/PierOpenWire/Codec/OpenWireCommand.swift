import NIOCore

/// One OpenWire v12 command, the top-level object of a frame. `decode(from:options:)` and
/// `encode(into:options:)` are the stateless entry points (no marshalling cache); `OpenWireFrameDecoder`
/// and `OpenWireFrameEncoder` keep the per-connection cache when one is negotiated.
public enum OpenWireCommand: Sendable, Hashable {
    case wireFormatInfo(OpenWireWireFormatInfo)
    case brokerInfo(OpenWireBrokerInfo)
    case connectionInfo(OpenWireConnectionInfo)
    case sessionInfo(OpenWireSessionInfo)
    case consumerInfo(OpenWireConsumerInfo)
    case producerInfo(OpenWireProducerInfo)
    case transactionInfo(OpenWireTransactionInfo)
    case destinationInfo(OpenWireDestinationInfo)
    case removeSubscriptionInfo(OpenWireRemoveSubscriptionInfo)
    case keepAliveInfo(OpenWireCommandHeader)
    case shutdownInfo(OpenWireCommandHeader)
    case removeInfo(OpenWireRemoveInfo)
    case controlCommand(OpenWireControlCommand)
    case flushCommand(OpenWireCommandHeader)
    case connectionError(OpenWireConnectionError)
    case consumerControl(OpenWireConsumerControl)
    case connectionControl(OpenWireConnectionControl)
    case producerAck(OpenWireProducerAck)
    case messagePull(OpenWireMessagePull)
    case messageDispatch(OpenWireMessageDispatch)
    case messageAck(OpenWireMessageAck)
    /// Types 23-29; `OpenWireMessage.kind` says which.
    case message(OpenWireMessage)
    /// Types 30-34; `OpenWireResponse.payload` says which.
    case response(OpenWireResponse)
    case messageDispatchNotification(OpenWireMessageDispatchNotification)

    public var typeID: OpenWireTypeID {
        switch self {
        case .wireFormatInfo: return .wireFormatInfo
        case .brokerInfo: return .brokerInfo
        case .connectionInfo: return .connectionInfo
        case .sessionInfo: return .sessionInfo
        case .consumerInfo: return .consumerInfo
        case .producerInfo: return .producerInfo
        case .transactionInfo: return .transactionInfo
        case .destinationInfo: return .destinationInfo
        case .removeSubscriptionInfo: return .removeSubscriptionInfo
        case .keepAliveInfo: return .keepAliveInfo
        case .shutdownInfo: return .shutdownInfo
        case .removeInfo: return .removeInfo
        case .controlCommand: return .controlCommand
        case .flushCommand: return .flushCommand
        case .connectionError: return .connectionError
        case .consumerControl: return .consumerControl
        case .connectionControl: return .connectionControl
        case .producerAck: return .producerAck
        case .messagePull: return .messagePull
        case .messageDispatch: return .messageDispatch
        case .messageAck: return .messageAck
        case .message(let m): return m.typeID
        case .response(let r): return r.typeID
        case .messageDispatchNotification: return .messageDispatchNotification
        }
    }

    /// The command's sequence number; WireFormatInfo has none on the wire and reports 0.
    public var commandId: Int32 {
        switch self {
        case .wireFormatInfo: return 0
        case .brokerInfo(let c): return c.commandId
        case .connectionInfo(let c): return c.commandId
        case .sessionInfo(let c): return c.commandId
        case .consumerInfo(let c): return c.commandId
        case .producerInfo(let c): return c.commandId
        case .transactionInfo(let c): return c.commandId
        case .destinationInfo(let c): return c.commandId
        case .removeSubscriptionInfo(let c): return c.commandId
        case .keepAliveInfo(let c), .shutdownInfo(let c), .flushCommand(let c): return c.commandId
        case .removeInfo(let c): return c.commandId
        case .controlCommand(let c): return c.commandId
        case .connectionError(let c): return c.commandId
        case .consumerControl(let c): return c.commandId
        case .connectionControl(let c): return c.commandId
        case .producerAck(let c): return c.commandId
        case .messagePull(let c): return c.commandId
        case .messageDispatch(let c): return c.commandId
        case .messageAck(let c): return c.commandId
        case .message(let c): return c.commandId
        case .response(let c): return c.commandId
        case .messageDispatchNotification(let c): return c.commandId
        }
    }

    /// Whether the sender waits for a Response with `correlationId == commandId`.
    public var responseRequired: Bool {
        switch self {
        case .wireFormatInfo: return false
        case .brokerInfo(let c): return c.responseRequired
        case .connectionInfo(let c): return c.responseRequired
        case .sessionInfo(let c): return c.responseRequired
        case .consumerInfo(let c): return c.responseRequired
        case .producerInfo(let c): return c.responseRequired
        case .transactionInfo(let c): return c.responseRequired
        case .destinationInfo(let c): return c.responseRequired
        case .removeSubscriptionInfo(let c): return c.responseRequired
        case .keepAliveInfo(let c), .shutdownInfo(let c), .flushCommand(let c): return c.responseRequired
        case .removeInfo(let c): return c.responseRequired
        case .controlCommand(let c): return c.responseRequired
        case .connectionError(let c): return c.responseRequired
        case .consumerControl(let c): return c.responseRequired
        case .connectionControl(let c): return c.responseRequired
        case .producerAck(let c): return c.responseRequired
        case .messagePull(let c): return c.responseRequired
        case .messageDispatch(let c): return c.responseRequired
        case .messageAck(let c): return c.responseRequired
        case .message(let c): return c.responseRequired
        case .response(let c): return c.responseRequired
        case .messageDispatchNotification(let c): return c.responseRequired
        }
    }
}

// MARK: Entry points

extension OpenWireCommand {
    /// Decodes the frame at the front of `buffer` (size prefix, type byte, fields) and consumes it; nil
    /// when the frame is not all there yet (nothing consumed). Stateless: with `options.cacheEnabled`
    /// every cache reference fails, so use `OpenWireFrameDecoder` on a connection that negotiated one.
    public static func decode(from buffer: inout ByteBuffer, options: OpenWireFormatOptions = .init())
        throws(OpenWireDecodeError) -> OpenWireCommand? {
        var decoder = OpenWireFrameDecoder(options: options)
        return try decoder.next(&buffer)
    }

    /// Appends this command as one frame (size prefix included). Stateless: with `options.cacheEnabled`
    /// every cached field goes out as a new cache entry, as from a fresh connection.
    public func encode(into buffer: inout ByteBuffer, options: OpenWireFormatOptions = .init()) throws(OpenWireEncodeError) {
        var encoder = OpenWireFrameEncoder(options: options)
        try encoder.encode(self, into: &buffer)
    }
}

// MARK: Marshalling

extension OpenWireCommand: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool {
        switch type {
        case 1...12, 14...34, 90: return true
        default: return false
        }
    }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        switch OpenWireTypeID(rawValue: type) {
        case .wireFormatInfo: self = .wireFormatInfo(try OpenWireWireFormatInfo(reading: &r))
        case .brokerInfo: self = .brokerInfo(try OpenWireBrokerInfo(reading: &r, type: type))
        case .connectionInfo: self = .connectionInfo(try OpenWireConnectionInfo(reading: &r, type: type))
        case .sessionInfo: self = .sessionInfo(try OpenWireSessionInfo(reading: &r, type: type))
        case .consumerInfo: self = .consumerInfo(try OpenWireConsumerInfo(reading: &r, type: type))
        case .producerInfo: self = .producerInfo(try OpenWireProducerInfo(reading: &r, type: type))
        case .transactionInfo: self = .transactionInfo(try OpenWireTransactionInfo(reading: &r, type: type))
        case .destinationInfo: self = .destinationInfo(try OpenWireDestinationInfo(reading: &r, type: type))
        case .removeSubscriptionInfo:
            self = .removeSubscriptionInfo(try OpenWireRemoveSubscriptionInfo(reading: &r, type: type))
        case .keepAliveInfo: self = .keepAliveInfo(try OpenWireCommandHeader(reading: &r))
        case .shutdownInfo: self = .shutdownInfo(try OpenWireCommandHeader(reading: &r))
        case .removeInfo: self = .removeInfo(try OpenWireRemoveInfo(reading: &r, type: type))
        case .controlCommand: self = .controlCommand(try OpenWireControlCommand(reading: &r, type: type))
        case .flushCommand: self = .flushCommand(try OpenWireCommandHeader(reading: &r))
        case .connectionError: self = .connectionError(try OpenWireConnectionError(reading: &r, type: type))
        case .consumerControl: self = .consumerControl(try OpenWireConsumerControl(reading: &r, type: type))
        case .connectionControl: self = .connectionControl(try OpenWireConnectionControl(reading: &r, type: type))
        case .producerAck: self = .producerAck(try OpenWireProducerAck(reading: &r, type: type))
        case .messagePull: self = .messagePull(try OpenWireMessagePull(reading: &r, type: type))
        case .messageDispatch: self = .messageDispatch(try OpenWireMessageDispatch(reading: &r, type: type))
        case .messageAck: self = .messageAck(try OpenWireMessageAck(reading: &r, type: type))
        case .messageDispatchNotification:
            self = .messageDispatchNotification(try OpenWireMessageDispatchNotification(reading: &r, type: type))
        default:
            if OpenWireMessage.accepts(type) {
                self = .message(try OpenWireMessage(reading: &r, type: type))
            } else {
                // `accepts` lets only responses through to here.
                self = .response(try OpenWireResponse(reading: &r, type: type))
            }
        }
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        switch self {
        case .wireFormatInfo(let c): try c.write(to: &w)
        case .brokerInfo(let c): try c.write(to: &w)
        case .connectionInfo(let c): try c.write(to: &w)
        case .sessionInfo(let c): try c.write(to: &w)
        case .consumerInfo(let c): try c.write(to: &w)
        case .producerInfo(let c): try c.write(to: &w)
        case .transactionInfo(let c): try c.write(to: &w)
        case .destinationInfo(let c): try c.write(to: &w)
        case .removeSubscriptionInfo(let c): try c.write(to: &w)
        case .keepAliveInfo(let c), .shutdownInfo(let c), .flushCommand(let c): c.write(to: &w)
        case .removeInfo(let c): try c.write(to: &w)
        case .controlCommand(let c): try c.write(to: &w)
        case .connectionError(let c): try c.write(to: &w)
        case .consumerControl(let c): try c.write(to: &w)
        case .connectionControl(let c): try c.write(to: &w)
        case .producerAck(let c): try c.write(to: &w)
        case .messagePull(let c): try c.write(to: &w)
        case .messageDispatch(let c): try c.write(to: &w)
        case .messageAck(let c): try c.write(to: &w)
        case .message(let c): try c.write(to: &w)
        case .response(let c): try c.write(to: &w)
        case .messageDispatchNotification(let c): try c.write(to: &w)
        }
    }

    var asDataStructure: OpenWireDataStructure { .command(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(let command) = dataStructure else { return nil }
        self = command
    }
}
