/// `NetworkBridgeFilter` (91): the predicate a network bridge attaches to its ConsumerInfo
/// (`additionalPredicate`). Decoded so a bridge's subscription does not break the connection; Pier
/// does not evaluate it.
public struct OpenWireNetworkBridgeFilter: Sendable, Hashable {
    public var networkBrokerId: OpenWireBrokerId?
    public var messageTTL: Int32
    public var consumerTTL: Int32

    public init(networkBrokerId: OpenWireBrokerId?, messageTTL: Int32, consumerTTL: Int32) {
        self.networkBrokerId = networkBrokerId
        self.messageTTL = messageTTL
        self.consumerTTL = consumerTTL
    }
}

extension OpenWireNetworkBridgeFilter: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.networkBridgeFilter.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        networkBrokerId = try r.cached(OpenWireBrokerId.self, "NetworkBridgeFilter.networkBrokerId")
        messageTTL = try r.int32("NetworkBridgeFilter.messageTTL")
        consumerTTL = try r.int32("NetworkBridgeFilter.consumerTTL")
    }

    var typeID: OpenWireTypeID { .networkBridgeFilter }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.cached(networkBrokerId, "NetworkBridgeFilter.networkBrokerId")
        w.int32(messageTTL)
        w.int32(consumerTTL)
    }

    var asDataStructure: OpenWireDataStructure { .networkBridgeFilter(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .networkBridgeFilter(let filter) = dataStructure else { return nil }
        self = filter
    }
}
