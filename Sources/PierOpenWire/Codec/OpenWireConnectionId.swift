/// `ConnectionId` (120): the client-chosen id of a connection, the root of its session, consumer and
/// producer ids.
public struct OpenWireConnectionId: Sendable, Hashable {
    public var value: String?

    public init(_ value: String?) {
        self.value = value
    }
}

extension OpenWireConnectionId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.connectionId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        value = try r.string("ConnectionId.value")
    }

    var typeID: OpenWireTypeID { .connectionId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(value, "ConnectionId.value")
    }

    var asDataStructure: OpenWireDataStructure { .connectionId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .connectionId(let id) = dataStructure else { return nil }
        self = id
    }
}
