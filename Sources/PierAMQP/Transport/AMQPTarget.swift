/// The `target` terminus (0x29): where a link's messages go.
public struct AMQPTarget: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x29
    public static let descriptorName = "amqp:target:list"

    public var address: String?
    public var durable: UInt32 = 0
    public var expiryPolicy: String?
    public var timeout: UInt32 = 0
    public var dynamic = false
    public var dynamicNodeProperties: AMQPMap?
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
        capabilities = try fields.symbols(6, "capabilities")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(address)
        fields.append(durable == 0 ? nil : durable)
        fields.append(symbol: expiryPolicy)
        fields.append(timeout == 0 ? nil : timeout)
        fields.append(dynamic, default: false)
        fields.append(dynamicNodeProperties)
        fields.append(symbols: capabilities)
    }
}
