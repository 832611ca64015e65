/// `disposition` (0x15): the outcome or settlement of a range of deliveries.
public struct AMQPDisposition: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x15
    public static let descriptorName = "amqp:disposition:list"

    public var role: AMQPRole
    public var first: UInt32
    public var last: UInt32?
    public var settled = false
    public var state: AMQPDeliveryState?
    public var batchable = false

    public init(role: AMQPRole, first: UInt32, last: UInt32? = nil, settled: Bool = false, state: AMQPDeliveryState? = nil) {
        self.role = role
        self.first = first
        self.last = last
        self.settled = settled
        self.state = state
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        role = AMQPRole(wireValue: try fields.required(fields.bool(0, "role"), "role"))
        first = try fields.required(fields.uint(1, "first"), "first")
        last = try fields.uint(2, "last")
        settled = try fields.bool(3, "settled") ?? false
        if let value = fields.value(4) { state = try AMQPDeliveryState(decoding: value) }
        batchable = try fields.bool(5, "batchable") ?? false
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(AMQPValue.boolean(role.wireValue))
        fields.append(first)
        fields.append(last)
        fields.append(settled, default: false)
        fields.append(state?.amqpValue)
        fields.append(batchable, default: false)
    }
}
