import NIOCore

/// A complete message received on a receiver link. Unless `settled`, the application answers it
/// with accept, reject, release or modify through the delivery id.
public struct AMQPIncomingDelivery: Hashable, Sendable {
    public var deliveryID: UInt32
    public var deliveryTag: ByteBuffer
    /// The sender settled already (at most once): no disposition is expected.
    public var settled: Bool
    public var message: AMQPMessage

    public init(deliveryID: UInt32, deliveryTag: ByteBuffer, settled: Bool, message: AMQPMessage) {
        self.deliveryID = deliveryID
        self.deliveryTag = deliveryTag
        self.settled = settled
        self.message = message
    }
}
