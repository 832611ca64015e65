/// `MessageDispatch` (21): a broker delivering a message to a consumer. A dispatch with a null message
/// tells a pulling consumer (MessagePull) that nothing came within its timeout.
public struct OpenWireMessageDispatch: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var consumerId: OpenWireConsumerId?
    public var destination: OpenWireDestination?
    public var message: OpenWireMessage?
    public var redeliveryCounter: Int32

    public init(commandId: Int32 = 0, responseRequired: Bool = false, consumerId: OpenWireConsumerId? = nil,
                destination: OpenWireDestination? = nil, message: OpenWireMessage? = nil, redeliveryCounter: Int32 = 0) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.consumerId = consumerId
        self.destination = destination
        self.message = message
        self.redeliveryCounter = redeliveryCounter
    }
}

extension OpenWireMessageDispatch: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.messageDispatch.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("MessageDispatch.commandId")
        responseRequired = try r.bool("MessageDispatch.responseRequired")
        consumerId = try r.cached(OpenWireConsumerId.self, "MessageDispatch.consumerId")
        destination = try r.cached(OpenWireDestination.self, "MessageDispatch.destination")
        message = try r.nested(OpenWireMessage.self, "MessageDispatch.message")
        redeliveryCounter = try r.int32("MessageDispatch.redeliveryCounter")
    }

    var typeID: OpenWireTypeID { .messageDispatch }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(consumerId, "MessageDispatch.consumerId")
        try w.cached(destination, "MessageDispatch.destination")
        try w.nested(message, "MessageDispatch.message")
        w.int32(redeliveryCounter)
    }

    var asDataStructure: OpenWireDataStructure { .command(.messageDispatch(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.messageDispatch(let dispatch)) = dataStructure else { return nil }
        self = dispatch
    }
}
