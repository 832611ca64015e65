import PierSelector

/// How a consumer takes messages from a queue.
public struct ConsumerOptions: Sendable {
    /// Unacknowledged messages the consumer may hold at once (ActiveMQ's prefetch, AMQP's link credit).
    public var prefetch: Int
    /// With credit-based flow (AMQP) the front end grants credit itself; with prefetch (STOMP, JMS)
    /// each ack gives one back.
    public var creditReturnsOnAck: Bool
    /// While an exclusive consumer is attached, it alone receives the queue's messages.
    public var exclusive: Bool
    public var selector: MessageSelector?
    /// Auto-ack consumers (STOMP `ack:auto`, JMS AUTO_ACKNOWLEDGE over a lossy link) settle on send.
    public var autoAck: Bool

    public init(prefetch: Int = 1000, creditReturnsOnAck: Bool = true, exclusive: Bool = false,
                selector: MessageSelector? = nil, autoAck: Bool = false) {
        self.prefetch = prefetch
        self.creditReturnsOnAck = creditReturnsOnAck
        self.exclusive = exclusive
        self.selector = selector
        self.autoAck = autoAck
    }
}
