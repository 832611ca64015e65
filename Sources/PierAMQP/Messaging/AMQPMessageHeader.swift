/// The `header` section (0x70): transport hints for intermediaries.
public struct AMQPMessageHeader: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x70
    public static let descriptorName = "amqp:header:list"

    public var durable = false
    public var priority: UInt8 = 4
    /// Milliseconds.
    public var ttl: UInt32?
    public var firstAcquirer = false
    public var deliveryCount: UInt32 = 0

    public init(durable: Bool = false, priority: UInt8 = 4, ttl: UInt32? = nil, firstAcquirer: Bool = false, deliveryCount: UInt32 = 0) {
        self.durable = durable
        self.priority = priority
        self.ttl = ttl
        self.firstAcquirer = firstAcquirer
        self.deliveryCount = deliveryCount
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        durable = try fields.bool(0, "durable") ?? false
        priority = try fields.ubyte(1, "priority") ?? 4
        ttl = try fields.uint(2, "ttl")
        firstAcquirer = try fields.bool(3, "first-acquirer") ?? false
        deliveryCount = try fields.uint(4, "delivery-count") ?? 0
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(durable, default: false)
        fields.append(priority == 4 ? nil : priority)
        fields.append(ttl)
        fields.append(firstAcquirer, default: false)
        fields.append(deliveryCount == 0 ? nil : deliveryCount)
    }
}
