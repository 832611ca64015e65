/// `MessageId` (110): the producer that sent a message and its sequence number there, plus the broker's
/// own sequence number. `textView` is the id's string form when a peer set one explicitly (a JMS
/// `JMSMessageID` that is not of the `ID:producer:seq` shape); usually null.
public struct OpenWireMessageId: Sendable, Hashable {
    public var textView: String?
    public var producerId: OpenWireProducerId?
    public var producerSequenceId: Int64
    public var brokerSequenceId: Int64

    public init(textView: String? = nil, producerId: OpenWireProducerId?, producerSequenceId: Int64,
                brokerSequenceId: Int64 = 0) {
        self.textView = textView
        self.producerId = producerId
        self.producerSequenceId = producerSequenceId
        self.brokerSequenceId = brokerSequenceId
    }
}

extension OpenWireMessageId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.messageId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        textView = try r.string("MessageId.textView")
        producerId = try r.cached(OpenWireProducerId.self, "MessageId.producerId")
        producerSequenceId = try r.int64("MessageId.producerSequenceId")
        brokerSequenceId = try r.int64("MessageId.brokerSequenceId")
    }

    var typeID: OpenWireTypeID { .messageId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(textView, "MessageId.textView")
        try w.cached(producerId, "MessageId.producerId")
        w.int64(producerSequenceId)
        w.int64(brokerSequenceId)
    }

    var asDataStructure: OpenWireDataStructure { .messageId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .messageId(let id) = dataStructure else { return nil }
        self = id
    }
}
