import NIOCore

/// `transfer` (0x14): one frame of a delivery; the message bytes follow it in the frame body.
public struct AMQPTransfer: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x14
    public static let descriptorName = "amqp:transfer:list"

    public var handle: UInt32
    /// Required on the first frame of a delivery, optional on continuations.
    public var deliveryID: UInt32?
    public var deliveryTag: ByteBuffer?
    public var messageFormat: UInt32?
    public var settled: Bool?
    /// More frames of this delivery follow.
    public var more = false
    public var rcvSettleMode: AMQPReceiverSettleMode?
    public var state: AMQPDeliveryState?
    public var resume = false
    public var aborted = false
    public var batchable = false

    public init(handle: UInt32, deliveryID: UInt32? = nil, deliveryTag: ByteBuffer? = nil, messageFormat: UInt32? = nil,
                settled: Bool? = nil, more: Bool = false) {
        self.handle = handle
        self.deliveryID = deliveryID
        self.deliveryTag = deliveryTag
        self.messageFormat = messageFormat
        self.settled = settled
        self.more = more
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        handle = try fields.required(fields.uint(0, "handle"), "handle")
        deliveryID = try fields.uint(1, "delivery-id")
        deliveryTag = try fields.binary(2, "delivery-tag")
        messageFormat = try fields.uint(3, "message-format")
        settled = try fields.bool(4, "settled")
        more = try fields.bool(5, "more") ?? false
        if let mode = try fields.ubyte(6, "rcv-settle-mode") {
            guard let parsed = AMQPReceiverSettleMode(rawValue: mode) else {
                throw .invalidField(type: Self.descriptorName, field: "rcv-settle-mode", found: .ubyte(mode))
            }
            rcvSettleMode = parsed
        }
        if let value = fields.value(7) { state = try AMQPDeliveryState(decoding: value) }
        resume = try fields.bool(8, "resume") ?? false
        aborted = try fields.bool(9, "aborted") ?? false
        batchable = try fields.bool(10, "batchable") ?? false
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(handle)
        fields.append(deliveryID)
        fields.append(deliveryTag)
        fields.append(messageFormat)
        fields.append(settled.map(AMQPValue.boolean))
        fields.append(more, default: false)
        fields.append(rcvSettleMode?.rawValue)
        fields.append(state?.amqpValue)
        fields.append(resume, default: false)
        fields.append(aborted, default: false)
        fields.append(batchable, default: false)
    }
}
