/// `ConnectionControl` (18): a broker steering a client's connection: suspend, resume, close, or (with
/// failover) reconnect elsewhere and rebalance.
public struct OpenWireConnectionControl: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var close: Bool
    public var exit: Bool
    public var faultTolerant: Bool
    public var resume: Bool
    public var suspend: Bool
    public var connectedBrokers: String?
    public var reconnectTo: String?
    public var rebalanceConnection: Bool
    public var token: [UInt8]?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, close: Bool = false, exit: Bool = false,
                faultTolerant: Bool = false, resume: Bool = false, suspend: Bool = false,
                connectedBrokers: String? = nil, reconnectTo: String? = nil, rebalanceConnection: Bool = false,
                token: [UInt8]? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.close = close
        self.exit = exit
        self.faultTolerant = faultTolerant
        self.resume = resume
        self.suspend = suspend
        self.connectedBrokers = connectedBrokers
        self.reconnectTo = reconnectTo
        self.rebalanceConnection = rebalanceConnection
        self.token = token
    }
}

extension OpenWireConnectionControl: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.connectionControl.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ConnectionControl.commandId")
        responseRequired = try r.bool("ConnectionControl.responseRequired")
        close = try r.bool("ConnectionControl.close")
        exit = try r.bool("ConnectionControl.exit")
        faultTolerant = try r.bool("ConnectionControl.faultTolerant")
        resume = try r.bool("ConnectionControl.resume")
        suspend = try r.bool("ConnectionControl.suspend")
        connectedBrokers = try r.string("ConnectionControl.connectedBrokers")
        reconnectTo = try r.string("ConnectionControl.reconnectTo")
        rebalanceConnection = try r.bool("ConnectionControl.rebalanceConnection")
        token = try r.bytes("ConnectionControl.token")
    }

    var typeID: OpenWireTypeID { .connectionControl }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        w.bool(close)
        w.bool(exit)
        w.bool(faultTolerant)
        w.bool(resume)
        w.bool(suspend)
        try w.string(connectedBrokers, "ConnectionControl.connectedBrokers")
        try w.string(reconnectTo, "ConnectionControl.reconnectTo")
        w.bool(rebalanceConnection)
        try w.bytes(token, "ConnectionControl.token")
    }

    var asDataStructure: OpenWireDataStructure { .command(.connectionControl(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.connectionControl(let control)) = dataStructure else { return nil }
        self = control
    }
}
