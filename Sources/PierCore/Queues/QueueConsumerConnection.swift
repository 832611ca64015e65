import NIOCore

/// The network side of a queue consumer, whatever its protocol. The queue calls `deliver` on
/// `eventLoop` with one batch per dispatch round, so the front end flushes once per batch.
public protocol QueueConsumerConnection: AnyObject, Sendable {
    var eventLoop: any EventLoop { get }
    func deliver(_ deliveries: [QueueDelivery])
}

/// One queued message handed to one consumer. `tag` is what the front end acks, nacks or rejects;
/// it stays valid until then, and a message redelivered later gets the same tag.
public struct QueueDelivery: Sendable {
    public var message: Message
    public var queue: String
    public var tag: UInt64
    public var consumer: QueueConsumer

    public init(message: Message, queue: String, tag: UInt64, consumer: QueueConsumer) {
        self.message = message
        self.queue = queue
        self.tag = tag
        self.consumer = consumer
    }
}
