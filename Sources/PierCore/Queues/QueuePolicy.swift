/// Per-queue behaviour, chosen by the first matching name pattern in `QueuePolicies`.
public struct QueuePolicy: Sendable, Equatable {
    public enum Overflow: String, Sendable, Equatable, CaseIterable, Codable {
        /// Producers wait (their acknowledgement is held) until there is room.
        case block
        /// The send fails with `QueueError.full`.
        case reject
        /// The oldest waiting message is dropped, counted and logged.
        case dropOldest = "drop-oldest"
    }

    public enum ExpiryAction: String, Sendable, Equatable, CaseIterable, Codable {
        case drop
        case deadLetter = "dead-letter"
    }

    public var maxMessages: Int
    public var maxBytes: Int
    public var overflow: Overflow
    /// Redeliveries before a message is dead-lettered; ActiveMQ's default is 6.
    public var maxRedeliveries: UInt32
    public var deadLetterQueue: String
    public var expiry: ExpiryAction

    public init(maxMessages: Int = 100_000, maxBytes: Int = 256 << 20, overflow: Overflow = .block,
                maxRedeliveries: UInt32 = 6, deadLetterQueue: String = "ActiveMQ.DLQ", expiry: ExpiryAction = .deadLetter) {
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        self.overflow = overflow
        self.maxRedeliveries = maxRedeliveries
        self.deadLetterQueue = deadLetterQueue
        self.expiry = expiry
    }
}

/// Policies by queue name pattern, in ActiveMQ's dotted wildcard form (`orders.>`, `*.jobs`).
public struct QueuePolicies: Sendable {
    public var rules: [(pattern: String, policy: QueuePolicy)]
    public var fallback: QueuePolicy

    public init(rules: [(pattern: String, policy: QueuePolicy)] = [], fallback: QueuePolicy = QueuePolicy()) {
        self.rules = rules
        self.fallback = fallback
    }

    public func policy(for queue: String) -> QueuePolicy {
        let mqttName = Destination.mqttName(fromDotted: queue)
        for rule in rules where Topic.matches(filter: Destination.mqttName(fromDotted: rule.pattern), topic: mqttName) {
            return rule.policy
        }
        return fallback
    }
}
