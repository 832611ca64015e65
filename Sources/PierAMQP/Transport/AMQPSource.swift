/// The `source` terminus (0x28): where a link's messages come from.
public struct AMQPSource: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x28
    public static let descriptorName = "amqp:source:list"

    public var address: String?
    /// Terminus durability: 0 none, 1 configuration, 2 unsettled-state.
    public var durable: UInt32 = 0
    public var expiryPolicy: String?
    public var timeout: UInt32 = 0
    public var dynamic = false
    public var dynamicNodeProperties: AMQPMap?
    public var distributionMode: String?
    public var filter: AMQPMap?
    public var defaultOutcome: AMQPValue?
    public var outcomes: [String] = []
    public var capabilities: [String] = []

    public init(address: String?) {
        self.address = address
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        address = try fields.string(0, "address")
        durable = try fields.uint(1, "durable") ?? 0
        expiryPolicy = try fields.symbol(2, "expiry-policy")
        timeout = try fields.uint(3, "timeout") ?? 0
        dynamic = try fields.bool(4, "dynamic") ?? false
        dynamicNodeProperties = try fields.map(5, "dynamic-node-properties")
        distributionMode = try fields.symbol(6, "distribution-mode")
        filter = try fields.map(7, "filter")
        defaultOutcome = fields.value(8)
        outcomes = try fields.symbols(9, "outcomes")
        capabilities = try fields.symbols(10, "capabilities")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(address)
        fields.append(durable == 0 ? nil : durable)
        fields.append(symbol: expiryPolicy)
        fields.append(timeout == 0 ? nil : timeout)
        fields.append(dynamic, default: false)
        fields.append(dynamicNodeProperties)
        fields.append(symbol: distributionMode)
        fields.append(filter)
        fields.append(defaultOutcome)
        fields.append(symbols: outcomes)
        fields.append(symbols: capabilities)
    }
}
