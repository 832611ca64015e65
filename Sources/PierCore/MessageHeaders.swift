/// The JMS-style header fields every protocol maps onto (the README's mapping table says how).
///
/// MQTT messages set none of them, and a message is copied several times on its way through the broker,
/// so the fields live in a shared box that exists only once one is set: an MQTT message carries one nil
/// pointer here instead of about 90 bytes (measured in the QoS 1 benchmark's memmove and malloc time).
public struct MessageHeaders: Sendable, Equatable {
    struct Fields: Sendable, Equatable {
        var messageID: String?
        var type: String?
        var priority: UInt8 = MessageHeaders.defaultPriority
        var timestamp: Int64?
        var persistent: Bool?
        var redeliveryCount: UInt32 = 0
        var groupID: String?
        var groupSequence: Int32?
        var deliverAt: Int64?
    }

    final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box?

    private var fields: Fields {
        get { box?.fields ?? Fields() }
        set { box = newValue == Fields() ? nil : Box(newValue) }
    }

    public init(messageID: String? = nil, type: String? = nil, priority: UInt8 = 4, timestamp: Int64? = nil,
                persistent: Bool? = nil, redeliveryCount: UInt32 = 0, groupID: String? = nil,
                groupSequence: Int32? = nil, deliverAt: Int64? = nil) {
        fields = Fields(messageID: messageID, type: type, priority: priority, timestamp: timestamp, persistent: persistent,
                        redeliveryCount: redeliveryCount, groupID: groupID, groupSequence: groupSequence, deliverAt: deliverAt)
    }

    public static func == (lhs: MessageHeaders, rhs: MessageHeaders) -> Bool { lhs.fields == rhs.fields }

    public static let defaultPriority: UInt8 = 4

    /// True when nothing differs from a plain MQTT message, so storage can skip the whole section.
    public var isDefault: Bool { box == nil }

    /// The id producers and consumers see (JMSMessageID, STOMP `message-id`, AMQP `message-id`);
    /// nil until a front end that needs one asks the broker to assign it.
    public var messageID: String? {
        get { box?.fields.messageID }
        set { fields.messageID = newValue }
    }

    public var type: String? {
        get { box?.fields.type }
        set { fields.type = newValue }
    }

    /// 0 (lowest) to 9; JMS's default is 4.
    public var priority: UInt8 {
        get { box?.fields.priority ?? Self.defaultPriority }
        set { fields.priority = newValue }
    }

    /// Wall-clock milliseconds when the producer sent it (JMSTimestamp).
    public var timestamp: Int64? {
        get { box?.fields.timestamp }
        set { fields.timestamp = newValue }
    }

    /// nil: persistent exactly when QoS is 1 or 2, which is what MQTT means by it.
    public var persistent: Bool? {
        get { box?.fields.persistent }
        set { fields.persistent = newValue }
    }

    /// Earlier deliveries of this message that ended without an ack (JMSXDeliveryCount − 1).
    public var redeliveryCount: UInt32 {
        get { box?.fields.redeliveryCount ?? 0 }
        set { fields.redeliveryCount = newValue }
    }

    /// JMSXGroupID: a queue hands every message of a group to one consumer.
    public var groupID: String? {
        get { box?.fields.groupID }
        set { fields.groupID = newValue }
    }

    public var groupSequence: Int32? {
        get { box?.fields.groupSequence }
        set { fields.groupSequence = newValue }
    }

    /// `BrokerClock` milliseconds before which a queue holds the message back (AMQ_SCHEDULED_DELAY);
    /// storage keeps it as wall-clock time, like `Message.expiresAt`.
    public var deliverAt: Int64? {
        get { box?.fields.deliverAt }
        set { fields.deliverAt = newValue }
    }
}

extension MessageHeaders: CustomStringConvertible {
    public var description: String { isDefault ? "MessageHeaders()" : "MessageHeaders(\(fields))" }
}
