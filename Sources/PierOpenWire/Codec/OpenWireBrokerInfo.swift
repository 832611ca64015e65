/// `BrokerInfo` (2): what a broker says about itself right after the WireFormatInfo exchange, and what
/// brokers of a network tell each other.
public struct OpenWireBrokerInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var brokerId: OpenWireBrokerId?
    public var brokerURL: String?
    public var peerBrokerInfos: [OpenWireBrokerInfo?]?
    public var brokerName: String?
    public var slaveBroker: Bool
    public var masterBroker: Bool
    public var faultTolerantConfiguration: Bool
    public var duplexConnection: Bool
    public var networkConnection: Bool
    public var connectionId: Int64
    public var brokerUploadUrl: String?
    public var networkProperties: String?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, brokerId: OpenWireBrokerId? = nil,
                brokerURL: String? = nil, peerBrokerInfos: [OpenWireBrokerInfo?]? = nil, brokerName: String? = nil,
                slaveBroker: Bool = false, masterBroker: Bool = false, faultTolerantConfiguration: Bool = false,
                duplexConnection: Bool = false, networkConnection: Bool = false, connectionId: Int64 = 0,
                brokerUploadUrl: String? = nil, networkProperties: String? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.brokerId = brokerId
        self.brokerURL = brokerURL
        self.peerBrokerInfos = peerBrokerInfos
        self.brokerName = brokerName
        self.slaveBroker = slaveBroker
        self.masterBroker = masterBroker
        self.faultTolerantConfiguration = faultTolerantConfiguration
        self.duplexConnection = duplexConnection
        self.networkConnection = networkConnection
        self.connectionId = connectionId
        self.brokerUploadUrl = brokerUploadUrl
        self.networkProperties = networkProperties
    }
}

extension OpenWireBrokerInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.brokerInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("BrokerInfo.commandId")
        responseRequired = try r.bool("BrokerInfo.responseRequired")
        brokerId = try r.cached(OpenWireBrokerId.self, "BrokerInfo.brokerId")
        brokerURL = try r.string("BrokerInfo.brokerURL")
        peerBrokerInfos = try r.array(OpenWireBrokerInfo.self, "BrokerInfo.peerBrokerInfos")
        brokerName = try r.string("BrokerInfo.brokerName")
        slaveBroker = try r.bool("BrokerInfo.slaveBroker")
        masterBroker = try r.bool("BrokerInfo.masterBroker")
        faultTolerantConfiguration = try r.bool("BrokerInfo.faultTolerantConfiguration")
        duplexConnection = try r.bool("BrokerInfo.duplexConnection")
        networkConnection = try r.bool("BrokerInfo.networkConnection")
        connectionId = try r.int64("BrokerInfo.connectionId")
        brokerUploadUrl = try r.string("BrokerInfo.brokerUploadUrl")
        networkProperties = try r.string("BrokerInfo.networkProperties")
    }

    var typeID: OpenWireTypeID { .brokerInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(brokerId, "BrokerInfo.brokerId")
        try w.string(brokerURL, "BrokerInfo.brokerURL")
        try w.array(peerBrokerInfos, "BrokerInfo.peerBrokerInfos")
        try w.string(brokerName, "BrokerInfo.brokerName")
        w.bool(slaveBroker)
        w.bool(masterBroker)
        w.bool(faultTolerantConfiguration)
        w.bool(duplexConnection)
        w.bool(networkConnection)
        w.int64(connectionId)
        try w.string(brokerUploadUrl, "BrokerInfo.brokerUploadUrl")
        try w.string(networkProperties, "BrokerInfo.networkProperties")
    }

    var asDataStructure: OpenWireDataStructure { .command(.brokerInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.brokerInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
