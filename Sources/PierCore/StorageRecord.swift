/// One durable change to broker state. The broker emits these; a `BrokerStorage` makes them survive restarts.
public enum StorageRecord: Sendable {
    case retainedSet(Message)
    case retainedCleared(topic: String)
    case sessionSaved(StoredSession)
    case sessionDeleted(clientID: String)
}

/// What a persistent session needs after a restart.
public struct StoredSession: Sendable {
    public var clientID: String
    public var username: String?
    public var expiryInterval: UInt32
    public var subscriptions: [String: SubscriptionOptions]

    public init(clientID: String, username: String?, expiryInterval: UInt32, subscriptions: [String: SubscriptionOptions]) {
        self.clientID = clientID
        self.username = username
        self.expiryInterval = expiryInterval
        self.subscriptions = subscriptions
    }
}

/// Broker state as loaded at start-up.
public struct StoredState: Sendable {
    public var retained: [Message] = []
    public var sessions: [StoredSession] = []
    public init() {}
}
