/// `SessionId` (121): a session within a connection.
public struct OpenWireSessionId: Sendable, Hashable {
    public var connectionId: String?
    public var value: Int64

    public init(connectionId: String?, value: Int64) {
        self.connectionId = connectionId
        self.value = value
    }
}

extension OpenWireSessionId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.sessionId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        connectionId = try r.string("SessionId.connectionId")
        value = try r.int64("SessionId.value")
    }

    var typeID: OpenWireTypeID { .sessionId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(connectionId, "SessionId.connectionId")
        w.int64(value)
    }

    var asDataStructure: OpenWireDataStructure { .sessionId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .sessionId(let id) = dataStructure else { return nil }
        self = id
    }
}
