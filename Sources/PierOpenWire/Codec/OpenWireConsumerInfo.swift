/// `ConsumerInfo` (5): a client subscribing: destination, selector, prefetch, durable subscription name,
/// and the network-of-brokers fields a plain client leaves at their defaults.
public struct OpenWireConsumerInfo: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool
    public var consumerId: OpenWireConsumerId?
    public var browser: Bool
    public var destination: OpenWireDestination?
    public var prefetchSize: Int32
    public var maximumPendingMessageLimit: Int32
    public var dispatchAsync: Bool
    public var selector: String?
    public var clientId: String?
    /// Non-null for a durable topic subscription.
    public var subscriptionName: String?
    public var noLocal: Bool
    public var exclusive: Bool
    public var retroactive: Bool
    /// Consumer priority, -10...10 in practice (`ConsumerInfo.LOW_PRIORITY`...`HIGH_PRIORITY`).
    public var priority: Int8
    public var brokerPath: [OpenWireBrokerId?]?
    /// A `NetworkBridgeFilter` when a network bridge subscribes; otherwise null.
    public var additionalPredicate: OpenWireDataStructure?
    public var networkSubscription: Bool
    public var optimizedAcknowledge: Bool
    public var noRangeAcks: Bool
    public var networkConsumerPath: [OpenWireConsumerId?]?

    public init(commandId: Int32 = 0, responseRequired: Bool = false, consumerId: OpenWireConsumerId? = nil,
                browser: Bool = false, destination: OpenWireDestination? = nil, prefetchSize: Int32 = 1000,
                maximumPendingMessageLimit: Int32 = 0, dispatchAsync: Bool = false, selector: String? = nil,
                clientId: String? = nil, subscriptionName: String? = nil, noLocal: Bool = false,
                exclusive: Bool = false, retroactive: Bool = false, priority: Int8 = 0,
                brokerPath: [OpenWireBrokerId?]? = nil, additionalPredicate: OpenWireDataStructure? = nil,
                networkSubscription: Bool = false, optimizedAcknowledge: Bool = false, noRangeAcks: Bool = false,
                networkConsumerPath: [OpenWireConsumerId?]? = nil) {
        self.commandId = commandId
        self.responseRequired = responseRequired
        self.consumerId = consumerId
        self.browser = browser
        self.destination = destination
        self.prefetchSize = prefetchSize
        self.maximumPendingMessageLimit = maximumPendingMessageLimit
        self.dispatchAsync = dispatchAsync
        self.selector = selector
        self.clientId = clientId
        self.subscriptionName = subscriptionName
        self.noLocal = noLocal
        self.exclusive = exclusive
        self.retroactive = retroactive
        self.priority = priority
        self.brokerPath = brokerPath
        self.additionalPredicate = additionalPredicate
        self.networkSubscription = networkSubscription
        self.optimizedAcknowledge = optimizedAcknowledge
        self.noRangeAcks = noRangeAcks
        self.networkConsumerPath = networkConsumerPath
    }
}

extension OpenWireConsumerInfo: OpenWireMarshallable {
    static func accepts(_ type: UInt8) -> Bool { type == OpenWireTypeID.consumerInfo.rawValue }

    init(reading r: inout OpenWireReader, type: UInt8) throws(OpenWireDecodeError) {
        commandId = try r.int32("ConsumerInfo.commandId")
        responseRequired = try r.bool("ConsumerInfo.responseRequired")
        consumerId = try r.cached(OpenWireConsumerId.self, "ConsumerInfo.consumerId")
        browser = try r.bool("ConsumerInfo.browser")
        destination = try r.cached(OpenWireDestination.self, "ConsumerInfo.destination")
        prefetchSize = try r.int32("ConsumerInfo.prefetchSize")
        maximumPendingMessageLimit = try r.int32("ConsumerInfo.maximumPendingMessageLimit")
        dispatchAsync = try r.bool("ConsumerInfo.dispatchAsync")
        selector = try r.string("ConsumerInfo.selector")
        clientId = try r.string("ConsumerInfo.clientId")
        subscriptionName = try r.string("ConsumerInfo.subscriptionName")
        noLocal = try r.bool("ConsumerInfo.noLocal")
        exclusive = try r.bool("ConsumerInfo.exclusive")
        retroactive = try r.bool("ConsumerInfo.retroactive")
        priority = try r.int8("ConsumerInfo.priority")
        brokerPath = try r.array(OpenWireBrokerId.self, "ConsumerInfo.brokerPath")
        additionalPredicate = try r.nested(OpenWireDataStructure.self, "ConsumerInfo.additionalPredicate")
        networkSubscription = try r.bool("ConsumerInfo.networkSubscription")
        optimizedAcknowledge = try r.bool("ConsumerInfo.optimizedAcknowledge")
        noRangeAcks = try r.bool("ConsumerInfo.noRangeAcks")
        networkConsumerPath = try r.array(OpenWireConsumerId.self, "ConsumerInfo.networkConsumerPath")
    }

    var typeID: OpenWireTypeID { .consumerInfo }

    func write(to w: inout OpenWireWriter) throws(OpenWireEncodeError) {
        w.int32(commandId)
        w.bool(responseRequired)
        try w.cached(consumerId, "ConsumerInfo.consumerId")
        w.bool(browser)
        try w.cached(destination, "ConsumerInfo.destination")
        w.int32(prefetchSize)
        w.int32(maximumPendingMessageLimit)
        w.bool(dispatchAsync)
        try w.string(selector, "ConsumerInfo.selector")
        try w.string(clientId, "ConsumerInfo.clientId")
        try w.string(subscriptionName, "ConsumerInfo.subscriptionName")
        w.bool(noLocal)
        w.bool(exclusive)
        w.bool(retroactive)
        w.int8(priority)
        try w.array(brokerPath, "ConsumerInfo.brokerPath")
        try w.nested(additionalPredicate, "ConsumerInfo.additionalPredicate")
        w.bool(networkSubscription)
        w.bool(optimizedAcknowledge)
        w.bool(noRangeAcks)
        try w.array(networkConsumerPath, "ConsumerInfo.networkConsumerPath")
    }

    var asDataStructure: OpenWireDataStructure { .command(.consumerInfo(self)) }

    init?(_ dataStructure: OpenWireDataStructure) {
        guard case .command(.consumerInfo(let info)) = dataStructure else { return nil }
        self = info
    }
}
