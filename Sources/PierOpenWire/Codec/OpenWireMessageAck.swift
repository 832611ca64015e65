/// `MessageAck` (22): a consumer acknowledging the range `firstMessageId`...`lastMessageId` of what was
/// dispatched to it (`messageCount` messages), in the way `ackType` says.
public struct OpenWireMessageAck: Sendable, Hashable {
    /// Raw so an unknown type survives decoding and the state machine can refuse it.
    public struct AckType: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }

        /// Delivered to the application, not yet consumed (extends prefetch, no removal).
        public static let delivered = Self(rawValue: 0)
        /// Redelivery exhausted: send to the dead-letter queue (`POSION_ACK_TYPE` in ActiveMQ).
        public static let poison = Self(rawValue: 1)
        /// Consumed: remove.
        public static let standard = Self(rawValue: 2)
        public static let redelivered = Self(rawValue: 3)
        /// Consumed, this one message only (INDIVIDUAL_ACKNOWLEDGE).
        public static let individual = Self(rawValue: 4)
        /// A durable subscriber's message its selector did not match.
        public static let unmatched = Self(rawValue: 5)
        public static let expired = Self(rawValue: 6)
    }

    public var commandId: Int32
    public var responseRequired: Bool
    public var destination: OpenWireDestination?
    public var transactionId: OpenWireTransactionId?
    public var consumerId: OpenWireConsumerId?
    public var ackType: AckType
    public var firstMessageId: OpenWireMessageId?
    public var lastMessageId: OpenWireMessageId?
    public var messageCount: Int32
    /// Why a poison ack gave up (the last delivery's exception).
    public var poisonCause: OpenWireThrowable?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, destination: OpenWireDestination? = nil,
                transactionId: OpenWireTransactionId? = nil, consumerId: OpenWireConsumerId? = nil,
                ackType: AckType = .standard, firstMessageId: OpenWireMessageId? = nil,
                lastMessageId: OpenWireMessageId? = nil, messageCount: Int32 = 1, poisonCause: OpenWireThrowable? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.destination = destination
        self.transactionId = transactionId
        self.consumerId = consumerId
        self.ackType = ackType
        self.firstMessageId = firstMessageId
        self.lastMessageId = lastMessageId
        self.messageCount = messageCount
        self.poisonCause = poisonCause
    }
}

extension OpenWireMessageAck: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.messageAck.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("MessageAck.commandId")
        responseRequired = try r.bool("MessageAck.responseRequired")
        destination = try r.cached(OpenWireDestination.self, "MessageAck.destination")
        transactionId = try r.cached(OpenWireTransactionId.self, "MessageAck.transactionId")
        consumerId = try r.cached(OpenWireConsumerId.self, "MessageAck.consumerId")
        ackType = AckType(rawValue: try r.int8("MessageAck.ackType"))
        firstMessageId = try r.nested(OpenWireMessageId.self, "MessageAck.firstMessageId")
        lastMessageId = try r.nested(OpenWireMessageId.self, "MessageAck.lastMessageId")
        messageCount = try r.int32("MessageAck.messageCount")
        poisonCause = try r.throwable("MessageAck.poisonCause")
    }

    var typeID: OpenWireTypeID { .messageAck }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(destination, "MessageAck.destination")
        try w.cached(transactionId, "MessageAck.transactionId")
        try w.cached(consumerId, "MessageAck.consumerId")
        w.int8(ackType.rawValue)
        try w.nested(firstMessageId, "MessageAck.firstMessageId")
        try w.nested(lastMessageId, "MessageAck.lastMessageId")
        w.int32(messageCount)
        try w.throwable(poisonCause, "MessageAck.poisonCause")
    }

    var asDataStructure: OpenWireDataStructure { .command(.messageAck(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.messageAck(let ack)) = dataStructure else { return nil }
        self = ack
    }
}
