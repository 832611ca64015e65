/// `MessageDispatchNotification` (90): between brokers of a network (or master and slave), that a
/// message went to a consumer. Decoded so such a peer does not break the connection.
public struct OpenWireMessageDispatchNotification: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var consumerId: OpenWireConsumerId?
    public var destination: OpenWireDestination?
    public var deliverySequenceId: Int64
    public var messageId: OpenWireMessageId?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, consumerId: OpenWireConsumerId? = nil,
                destination: OpenWireDestination? = nil, deliverySequenceId: Int64 = 0,
                messageId: OpenWireMessageId? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.consumerId = consumerId
        self.destination = destination
        self.deliverySequenceId = deliverySequenceId
        self.messageId = messageId
    }
}

extension OpenWireMessageDispatchNotification: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.messageDispatchNotification.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("MessageDispatchNotification.commandId")
        responseRequired = try r.bool("MessageDispatchNotification.responseRequired")
        consumerId = try r.cached(OpenWireConsumerId.self, "MessageDispatchNotification.consumerId")
        destination = try r.cached(OpenWireDestination.self, "MessageDispatchNotification.destination")
        deliverySequenceId = try r.int64("MessageDispatchNotification.deliverySequenceId")
        messageId = try r.nested(OpenWireMessageId.self, "MessageDispatchNotification.messageId")
    }

    var typeID: OpenWireTypeID { .messageDispatchNotification }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(consumerId, "MessageDispatchNotification.consumerId")
        try w.cached(destination, "MessageDispatchNotification.destination")
        w.int64(deliverySequenceId)
        try w.nested(messageId, "MessageDispatchNotification.messageId")
    }

    var asDataStructure: OpenWireDataStructure { .command(.messageDispatchNotification(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.messageDispatchNotification(let notification)) = dataStructure else { return nil }
        self = notification
    }
}
