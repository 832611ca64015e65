/// `ProducerId` (123): a producer within a session. On the wire the producer's own value comes before
/// its session id (the reverse of ConsumerId), as the v12 marshaller has it.
public struct OpenWireProducerId: Sendable, Hashable {
    public var connectionId: String?
    public var value: Int64
    public var sessionId: Int64

    public init(connectionId: String?, sessionId: Int64, value: Int64) {
        self.connectionId = connectionId
        self.sessionId = sessionId
        self.value = value
    }
}

extension OpenWireProducerId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.producerId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        connectionId = try r.string("ProducerId.connectionId")
        value = try r.int64("ProducerId.value")
        sessionId = try r.int64("ProducerId.sessionId")
    }

    var typeID: OpenWireTypeID { .producerId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(connectionId, "ProducerId.connectionId")
        w.int64(value)
        w.int64(sessionId)
    }

    var asDataStructure: OpenWireDataStructure { .producerId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .producerId(let id) = dataStructure else { return nil }
        self = id
    }
}
