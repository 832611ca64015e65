/// One SUBSCRIBE as the state machine understood it; the adapter turns it into a core subscription.
public struct STOMPSubscription: Sendable, Equatable {
    public enum AckMode: String, Sendable, Equatable {
        case auto
        /// Cumulative: an ACK covers every earlier message of the subscription.
        case client
        case clientIndividual = "client-individual"
    }

    public var id: String
    /// As the client wrote it (`/queue/a`, `/topic/a.b.>`, `/temp-queue/x`).
    public var destination: String
    public var ackMode: AckMode
    public var selector: String?
    /// ActiveMQ's `activemq.prefetchSize`.
    public var prefetch: Int?
    /// ActiveMQ's `activemq.subscriptionName` (with the connection's `client-id`): a durable topic subscription.
    public var durableName: String?
    public var exclusive: Bool
    public var noLocal: Bool
    /// ActiveMQ's `browser:true`: the queue's current messages, without consuming them, then `browser:end`.
    public var browser: Bool

    public init(id: String, destination: String, ackMode: AckMode = .auto, selector: String? = nil, prefetch: Int? = nil,
                durableName: String? = nil, exclusive: Bool = false, noLocal: Bool = false, browser: Bool = false) {
        self.id = id
        self.destination = destination
        self.ackMode = ackMode
        self.selector = selector
        self.prefetch = prefetch
        self.durableName = durableName
        self.exclusive = exclusive
        self.noLocal = noLocal
        self.browser = browser
    }
}

/// What an ACK or NACK resolved to: the subscription and the core delivery tags it settles.
public struct STOMPAckTarget: Sendable, Equatable {
    public var subscriptionID: String
    public var tags: [UInt64]
}
