/// `ConnectionInfo` (3): a client opening its JMS connection, with credentials; sent again to close it
/// is RemoveInfo's job.
public struct OpenWireConnectionInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var connectionId: OpenWireConnectionId?
    public var clientId: String?
    public var password: String?
    public var userName: String?
    public var brokerPath: [OpenWireBrokerId?]?
    public var brokerMasterConnector: Bool
    public var manageable: Bool
    public var clientMaster: Bool
    public var faultTolerant: Bool
    public var failoverReconnect: Bool
    public var clientIp: String?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, connectionId: OpenWireConnectionId? = nil,
                clientId: String? = nil, password: String? = nil, userName: String? = nil,
                brokerPath: [OpenWireBrokerId?]? = nil, brokerMasterConnector: Bool = false, manageable: Bool = false,
                clientMaster: Bool = false, faultTolerant: Bool = false, failoverReconnect: Bool = false,
                clientIp: String? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.connectionId = connectionId
        self.clientId = clientId
        self.password = password
        self.userName = userName
        self.brokerPath = brokerPath
        self.brokerMasterConnector = brokerMasterConnector
        self.manageable = manageable
        self.clientMaster = clientMaster
        self.faultTolerant = faultTolerant
        self.failoverReconnect = failoverReconnect
        self.clientIp = clientIp
    }
}

extension OpenWireConnectionInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.connectionInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ConnectionInfo.commandId")
        responseRequired = try r.bool("ConnectionInfo.responseRequired")
        connectionId = try r.cached(OpenWireConnectionId.self, "ConnectionInfo.connectionId")
        clientId = try r.string("ConnectionInfo.clientId")
        password = try r.string("ConnectionInfo.password")
        userName = try r.string("ConnectionInfo.userName")
        brokerPath = try r.array(OpenWireBrokerId.self, "ConnectionInfo.brokerPath")
        brokerMasterConnector = try r.bool("ConnectionInfo.brokerMasterConnector")
        manageable = try r.bool("ConnectionInfo.manageable")
        clientMaster = try r.bool("ConnectionInfo.clientMaster")
        faultTolerant = try r.bool("ConnectionInfo.faultTolerant")
        failoverReconnect = try r.bool("ConnectionInfo.failoverReconnect")
        clientIp = try r.string("ConnectionInfo.clientIp")
    }

    var typeID: OpenWireTypeID { .connectionInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(connectionId, "ConnectionInfo.connectionId")
        try w.string(clientId, "ConnectionInfo.clientId")
        try w.string(password, "ConnectionInfo.password")
        try w.string(userName, "ConnectionInfo.userName")
        try w.array(brokerPath, "ConnectionInfo.brokerPath")
        w.bool(brokerMasterConnector)
        w.bool(manageable)
        w.bool(clientMaster)
        w.bool(faultTolerant)
        w.bool(failoverReconnect)
        try w.string(clientIp, "ConnectionInfo.clientIp")
    }

    var asDataStructure: OpenWireDataStructure { .command(.connectionInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.connectionInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
