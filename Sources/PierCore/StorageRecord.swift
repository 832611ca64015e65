/// One durable change to broker state. The broker emits these in order; a `BrokerStorage` makes them
/// survive restarts, and `DurableState` folds them back into state.
public enum StorageRecord: Sendable, Equatable {
    case retainedSet(Message)
    case retainedCleared(topic: String)
    /// Session metadata (subscriptions, expiry); its queued messages are unaffected.
    case sessionSaved(StoredSession)
    /// The session ended: its subscriptions, queue and exactly-once state go with it.
    case sessionDeleted(clientID: String)
    /// A QoS 1/2 message the broker accepted, with the persistent sessions it was queued for.
    /// The message is written once however many sessions hold it; the bridge reads these records too.
    case published(Message, queuedFor: [QueuedTarget])
    /// A queued message went out to the client under the front end's `key`.
    case sent(clientID: String, messageID: UInt64, key: DeliveryKey)
    /// The outgoing exchange under `key` reached its second phase (MQTT: PUBREC received).
    case advanced(clientID: String, key: DeliveryKey)
    /// The session is done with the message: acknowledged, dropped or expired.
    case completed(clientID: String, messageID: UInt64)
    /// An incoming exchange was accepted; a resend under this key must not be routed again (MQTT QoS 2).
    case incomingHeld(clientID: String, key: DeliveryKey)
    case incomingDone(clientID: String, key: DeliveryKey)
    /// Ids below this were handed out already (a checkpoint carries it when no message is queued).
    case messageIDHighWater(UInt64)
    /// A persistent message joined a queue (a send, a topic copy, or a dead letter); its id is its key there.
    case queueEnqueued(queue: String, message: Message)
    /// Messages left a queue: acknowledged, dead-lettered elsewhere, expired, dropped or purged.
    case queueRemoved(queue: String, messageIDs: [UInt64])
    /// A queued message went to a consumer for the `deliveryCount`th time; after a restart it comes
    /// back flagged redelivered.
    case queueDelivered(queue: String, messageID: UInt64, deliveryCount: UInt32)
    case durableSubscriptionSaved(DurableSubscription)
    /// The subscription and every message waiting in its queue are gone.
    case durableSubscriptionDeleted(clientID: String, name: String)
}

/// How a message was queued for one persistent session.
public struct QueuedTarget: Sendable, Equatable {
    public var clientID: String
    public var qos: QoS
    public var retain: Bool
    public var subscriptionIdentifiers: [UInt32]

    public init(clientID: String, qos: QoS, retain: Bool, subscriptionIdentifiers: [UInt32] = []) {
        self.clientID = clientID
        self.qos = qos
        self.retain = retain
        self.subscriptionIdentifiers = subscriptionIdentifiers
    }
}

/// What a persistent session needs after a restart.
public struct StoredSession: Sendable, Equatable {
    public var clientID: String
    public var username: String?
    public var expiryInterval: UInt32
    public var subscriptions: [String: SubscriptionOptions]
    /// Messages not yet completed, oldest first; those with a packet id were in flight.
    public var queued: [StoredDelivery]
    public var incomingKeys: Set<DeliveryKey>

    public init(clientID: String, username: String?, expiryInterval: UInt32, subscriptions: [String: SubscriptionOptions],
                queued: [StoredDelivery] = [], incomingKeys: Set<DeliveryKey> = []) {
        self.clientID = clientID
        self.username = username
        self.expiryInterval = expiryInterval
        self.subscriptions = subscriptions
        self.queued = queued
        self.incomingKeys = incomingKeys
    }
}

/// One queued message of a stored session.
public struct StoredDelivery: Sendable, Equatable {
    public var delivery: Delivery
    /// Set once the message was sent under a front end's key.
    public var key: DeliveryKey?
    /// The exchange reached its second phase (MQTT: on reconnect PUBREL is resent, not the PUBLISH).
    public var advanced: Bool

    public init(delivery: Delivery, key: DeliveryKey? = nil, advanced: Bool = false) {
        self.delivery = delivery
        self.key = key
        self.advanced = advanced
    }
}

/// One message of a stored queue, with how often it was handed out before the restart.
public struct StoredQueueMessage: Sendable, Equatable {
    public var message: Message
    public var deliveryCount: UInt32

    public init(message: Message, deliveryCount: UInt32 = 0) {
        self.message = message
        self.deliveryCount = deliveryCount
    }
}

/// Broker state as loaded at start-up.
public struct StoredState: Sendable {
    public var retained: [Message] = []
    public var sessions: [StoredSession] = []
    /// Persistent queue contents by queue name, in queue order.
    public var queues: [String: [StoredQueueMessage]] = [:]
    public var durableSubscriptions: [DurableSubscription] = []
    /// Highest message id ever handed out, so new ids never collide with stored ones.
    public var lastMessageID: UInt64 = 0
    public init() {}
}
