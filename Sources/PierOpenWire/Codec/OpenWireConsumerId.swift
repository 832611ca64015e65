/// `ConsumerId` (122): a consumer within a session.
public struct OpenWireConsumerId: Sendable, Hashable {
    public var connectionId: String?
    public var sessionId: Int64
    public var value: Int64

    public init(connectionId: String?, sessionId: Int64, value: Int64) {
        self.connectionId = connectionId
        self.sessionId = sessionId
        self.value = value
    }
}

extension OpenWireConsumerId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.consumerId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        connectionId = try r.string("ConsumerId.connectionId")
        sessionId = try r.int64("ConsumerId.sessionId")
        value = try r.int64("ConsumerId.value")
    }

    var typeID: OpenWireTypeID { .consumerId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(connectionId, "ConsumerId.connectionId")
        w.int64(sessionId)
        w.int64(value)
    }

    var asDataStructure: OpenWireDataStructure { .consumerId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .consumerId(let id) = dataStructure else { return nil }
        self = id
    }
}
