/// The JMS-style header fields every protocol maps onto (the README's mapping table says how).
public struct MessageHeaders: Sendable, Equatable {
    /// The id producers and consumers see (JMSMessageID, STOMP `message-id`, AMQP `message-id`);
    /// nil until a front end that needs one asks the broker to assign it.
    public var messageID: String?
    public var type: String?
    /// 0 (lowest) to 9; JMS's default is 4.
    public var priority: UInt8
    /// Wall-clock milliseconds when the producer sent it (JMSTimestamp).
    public var timestamp: Int64?
    /// nil: persistent exactly when QoS is 1 or 2, which is what MQTT means by it.
    public var persistent: Bool?
    /// Earlier deliveries of this message that ended without an ack (JMSXDeliveryCount − 1).
    public var redeliveryCount: UInt32
    /// JMSXGroupID: a queue hands every message of a group to one consumer.
    public var groupID: String?
    public var groupSequence: Int32?
    /// `BrokerClock` milliseconds before which a queue holds the message back (AMQ_SCHEDULED_DELAY);
    /// storage keeps it as wall-clock time, like `Message.expiresAt`.
    public var deliverAt: Int64?

    public init(messageID: String? = nil, type: String? = nil, priority: UInt8 = 4, timestamp: Int64? = nil,
                persistent: Bool? = nil, redeliveryCount: UInt32 = 0, groupID: String? = nil,
                groupSequence: Int32? = nil, deliverAt: Int64? = nil) {
        self.messageID = messageID
        self.type = type
        self.priority = priority
        self.timestamp = timestamp
        self.persistent = persistent
        self.redeliveryCount = redeliveryCount
        self.groupID = groupID
        self.groupSequence = groupSequence
        self.deliverAt = deliverAt
    }

    public static let defaultPriority: UInt8 = 4

    /// True when nothing differs from a plain MQTT message, so storage can skip the whole section.
    public var isDefault: Bool { self == MessageHeaders() }
}
