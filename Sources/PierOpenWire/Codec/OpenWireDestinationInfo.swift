/// `DestinationInfo` (8): a client creating or deleting a destination, in practice a temporary one.
public struct OpenWireDestinationInfo: Sendable, Hashable {
    public struct Operation: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }

        public static let add = Self(rawValue: 0)
        public static let remove = Self(rawValue: 1)
    }

    public var commandId: Int32
    public var responseRequired: Bool
    public var connectionId: OpenWireConnectionId?
    public var destination: OpenWireDestination?
    public var operationType: Operation
    public var timeout: Int64
    public var brokerPath: [OpenWireBrokerId?]?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, connectionId: OpenWireConnectionId? = nil,
                destination: OpenWireDestination? = nil, operationType: Operation = .add, timeout: Int64 = 0,
                brokerPath: [OpenWireBrokerId?]? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.connectionId = connectionId
        self.destination = destination
        self.operationType = operationType
        self.timeout = timeout
        self.brokerPath = brokerPath
    }
}

extension OpenWireDestinationInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.destinationInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("DestinationInfo.commandId")
        responseRequired = try r.bool("DestinationInfo.responseRequired")
        connectionId = try r.cached(OpenWireConnectionId.self, "DestinationInfo.connectionId")
        destination = try r.cached(OpenWireDestination.self, "DestinationInfo.destination")
        operationType = Operation(rawValue: try r.int8("DestinationInfo.operationType"))
        timeout = try r.int64("DestinationInfo.timeout")
        brokerPath = try r.array(OpenWireBrokerId.self, "DestinationInfo.brokerPath")
    }

    var typeID: OpenWireTypeID { .destinationInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(connectionId, "DestinationInfo.connectionId")
        try w.cached(destination, "DestinationInfo.destination")
        w.int8(operationType.rawValue)
        w.int64(timeout)
        try w.array(brokerPath, "DestinationInfo.brokerPath")
    }

    var asDataStructure: OpenWireDataStructure { .command(.destinationInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.destinationInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
