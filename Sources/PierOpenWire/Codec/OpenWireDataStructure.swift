/// Any object OpenWire can nest: what fills the fields ActiveMQ types as plain `DataStructure`
/// (`Message.dataStructure` of an advisory, `RemoveInfo.objectId`, `DataResponse.data`...), and what
/// the marshalling cache holds.
///
/// Indirect: a command can hold a data structure that holds a command.
public indirect enum OpenWireDataStructure: Sendable, Hashable {
    case command(OpenWireCommand)
    case brokerId(OpenWireBrokerId)
    case connectionId(OpenWireConnectionId)
    case sessionId(OpenWireSessionId)
    case consumerId(OpenWireConsumerId)
    case producerId(OpenWireProducerId)
    case messageId(OpenWireMessageId)
    case transactionId(OpenWireTransactionId)
    case destination(OpenWireDestination)
    case networkBridgeFilter(OpenWireNetworkBridgeFilter)

    public var typeID: OpenWireTypeID {
        switch self {
        case .command(let c): return c.typeID
        case .brokerId: return .brokerId
        case .connectionId: return .connectionId
        case .sessionId: return .sessionId
        case .consumerId: return .consumerId
        case .producerId: return .producerId
        case .messageId: return .messageId
        case .transactionId(let t): return t.typeID
        case .destination(let d): return d.typeID
        case .networkBridgeFilter: return .networkBridgeFilter
        }
    }
}

extension OpenWireDataStructure: OpenWireMarshallable {
    /// Every type Pier decodes.
    static func accepts(_ type: UInt8) -> Bool {
        OpenWireCommand.accepts(type) || OpenWireDestination.accepts(type) || OpenWireTransactionId.accepts(type)
            || (120...124).contains(type) || type == OpenWireTypeID.messageId.rawValue
            || type == OpenWireTypeID.networkBridgeFilter.rawValue
    }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        switch OpenWireTypeID(rawValue: type) {
        case .brokerId: self = .brokerId(try OpenWireBrokerId(reading: &r, type: type))
        case .connectionId: self = .connectionId(try OpenWireConnectionId(reading: &r, type: type))
        case .sessionId: self = .sessionId(try OpenWireSessionId(reading: &r, type: type))
        case .consumerId: self = .consumerId(try OpenWireConsumerId(reading: &r, type: type))
        case .producerId: self = .producerId(try OpenWireProducerId(reading: &r, type: type))
        case .messageId: self = .messageId(try OpenWireMessageId(reading: &r, type: type))
        case .localTransactionId, .xaTransactionId:
            self = .transactionId(try OpenWireTransactionId(reading: &r, type: type))
        case .queue, .topic, .tempQueue, .tempTopic:
            self = .destination(try OpenWireDestination(reading: &r, type: type))
        case .networkBridgeFilter:
            self = .networkBridgeFilter(try OpenWireNetworkBridgeFilter(reading: &r, type: type))
        default:
            // `accepts` lets only commands through to here.
            self = .command(try OpenWireCommand(reading: &r, type: type))
        }
    }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        switch self {
        case .command(let c): try c.write(to: &w)
        case .brokerId(let id): try id.write(to: &w)
        case .connectionId(let id): try id.write(to: &w)
        case .sessionId(let id): try id.write(to: &w)
        case .consumerId(let id): try id.write(to: &w)
        case .producerId(let id): try id.write(to: &w)
        case .messageId(let id): try id.write(to: &w)
        case .transactionId(let id): try id.write(to: &w)
        case .destination(let d): try d.write(to: &w)
        case .networkBridgeFilter(let f): try f.write(to: &w)
        }
    }

    var asDataStructure: OpenWireDataStructure { self }

    init?(_ dataStructure: OpenWireDataStructure) {
        self = dataStructure
    }
}
