/// `MessagePull` (20): a consumer with prefetch 0 asking for one message, waiting up to `timeout` ms
/// (0: wait forever, -1: don't wait).
public struct OpenWireMessagePull: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var consumerId: OpenWireConsumerId?
    public var destination: OpenWireDestination?
    public var timeout: Int64
    public var correlationId: String?
    public var messageId: OpenWireMessageId?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, consumerId: OpenWireConsumerId? = nil,
                destination: OpenWireDestination? = nil, timeout: Int64 = 0, correlationId: String? = nil,
                messageId: OpenWireMessageId? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.consumerId = consumerId
        self.destination = destination
        self.timeout = timeout
        self.correlationId = correlationId
        self.messageId = messageId
    }
}

extension OpenWireMessagePull: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.messagePull.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("MessagePull.commandId")
        responseRequired = try r.bool("MessagePull.responseRequired")
        consumerId = try r.cached(OpenWireConsumerId.self, "MessagePull.consumerId")
        destination = try r.cached(OpenWireDestination.self, "MessagePull.destination")
        timeout = try r.int64("MessagePull.timeout")
        correlationId = try r.string("MessagePull.correlationId")
        messageId = try r.nested(OpenWireMessageId.self, "MessagePull.messageId")
    }

    var typeID: OpenWireTypeID { .messagePull }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(consumerId, "MessagePull.consumerId")
        try w.cached(destination, "MessagePull.destination")
        w.int64(timeout)
        try w.string(correlationId, "MessagePull.correlationId")
        try w.nested(messageId, "MessagePull.messageId")
    }

    var asDataStructure: OpenWireDataStructure { .command(.messagePull(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.messagePull(let pull)) = dataStructure else { return nil }
        self = pull
    }
}
