/// `RemoveSubscriptionInfo` (9): a client deleting a durable subscription (JMS `unsubscribe`).
public struct OpenWireRemoveSubscriptionInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var connectionId: OpenWireConnectionId?
    public var subscriptionName: String?
    public var clientId: String?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, connectionId: OpenWireConnectionId? = nil,
                subscriptionName: String? = nil, clientId: String? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.connectionId = connectionId
        self.subscriptionName = subscriptionName
        self.clientId = clientId
    }
}

extension OpenWireRemoveSubscriptionInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.removeSubscriptionInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("RemoveSubscriptionInfo.commandId")
        responseRequired = try r.bool("RemoveSubscriptionInfo.responseRequired")
        connectionId = try r.cached(OpenWireConnectionId.self, "RemoveSubscriptionInfo.connectionId")
        subscriptionName = try r.string("RemoveSubscriptionInfo.subscriptionName")
        clientId = try r.string("RemoveSubscriptionInfo.clientId")
    }

    var typeID: OpenWireTypeID { .removeSubscriptionInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(connectionId, "RemoveSubscriptionInfo.connectionId")
        try w.string(subscriptionName, "RemoveSubscriptionInfo.subscriptionName")
        try w.string(clientId, "RemoveSubscriptionInfo.clientId")
    }

    var asDataStructure: OpenWireDataStructure { .command(.removeSubscriptionInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.removeSubscriptionInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
