/// `BrokerId` (124): names a broker in `brokerPath`, `cluster` and BrokerInfo.
public struct OpenWireBrokerId: Sendable, Hashable {
    public var value: String?

    public init(_ value: String?) {
        self.value = value
    }
}

extension OpenWireBrokerId: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.brokerId.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        value = try r.string("BrokerId.value")
    }

    var typeID: OpenWireTypeID { .brokerId }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        try w.string(value, "BrokerId.value")
    }

    var asDataStructure: OpenWireDataStructure { .brokerId(self) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .brokerId(let id) = dataStructure else { return nil }
        self = id
    }
}
