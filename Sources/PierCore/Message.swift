import NIOCore

/// A name/value pair of strings as MQTT 5 carries it (user property); `Message.properties` holds typed values.
public struct UserProperty: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A protocol-neutral message as the broker core routes and stores it.
public struct Message: Sendable, Equatable {
    /// Set by the broker for messages it stores or queues; ids grow in publish order.
    public var id: UInt64?
    public var destination: Destination
    public var payload: ByteBuffer
    public var qos: QoS
    public var retain: Bool
    /// Absolute deadline in `BrokerClock` milliseconds; nil means it never expires.
    public var expiresAt: Int64?
    public var contentType: String?
    /// Where replies go (MQTT 5 response topic, JMSReplyTo, STOMP `reply-to`, AMQP `reply-to`).
    public var replyTo: Destination?
    /// MQTT 5 correlation data; JMS, STOMP and AMQP correlation ids are its UTF-8 bytes.
    public var correlationData: [UInt8]?
    /// MQTT payload format indicator: true when the payload is declared UTF-8.
    public var payloadIsUTF8: Bool?
    /// Typed application properties in the order the producer gave them.
    public var properties: [MessageProperty]
    public var headers: MessageHeaders
    /// Client id of the publisher, used for no-local.
    public var origin: String?

    public init(
        id: UInt64? = nil,
        destination: Destination,
        payload: ByteBuffer,
        qos: QoS = .atMostOnce,
        retain: Bool = false,
        expiresAt: Int64? = nil,
        contentType: String? = nil,
        responseTopic: String? = nil,
        correlationData: [UInt8]? = nil,
        payloadIsUTF8: Bool? = nil,
        userProperties: [UserProperty] = [],
        properties: [MessageProperty] = [],
        headers: MessageHeaders = MessageHeaders(),
        origin: String? = nil
    ) {
        self.id = id
        self.destination = destination
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.expiresAt = expiresAt
        self.contentType = contentType
        self.replyTo = responseTopic.map { .topic($0) }
        self.correlationData = correlationData
        self.payloadIsUTF8 = payloadIsUTF8
        self.properties = userProperties.map { MessageProperty($0.name, .string($0.value)) } + properties
        self.headers = headers
        self.origin = origin
    }

    public var topic: String { destination.name }

    /// MQTT's view of `replyTo`: a topic name; a queue has no MQTT form, so it is left out.
    public var responseTopic: String? {
        get {
            if case .topic(let name)? = replyTo { return name }
            return nil
        }
        set { replyTo = newValue.map { .topic($0) } }
    }

    /// The properties as strings, which is all MQTT 5 can carry.
    public var userProperties: [UserProperty] {
        get { properties.map { UserProperty($0.name, $0.value.stringValue) } }
        set { properties = newValue.map { MessageProperty($0.name, .string($0.value)) } }
    }

    /// The first property of that name (JMS properties are unique; MQTT's may repeat).
    public func property(_ name: String) -> PropertyValue? {
        properties.first { $0.name == name }?.value
    }

    public var correlationID: String? {
        get { correlationData.map { String(decoding: $0, as: UTF8.self) } }
        set { correlationData = newValue.map { Array($0.utf8) } }
    }

    /// Persistent messages go to the log and survive restarts; the rest live in memory.
    public var isPersistent: Bool { headers.persistent ?? (qos != .atMostOnce) }

    /// JMSRedelivered: an earlier delivery of this message ended without an ack.
    public var redelivered: Bool { headers.redeliveryCount > 0 }

    public func isExpired(now: Int64) -> Bool {
        if let expiresAt { return now >= expiresAt }
        return false
    }

    /// Seconds left before expiry, rounded up, as MQTT 5 forwards it.
    public func remainingExpirySeconds(now: Int64) -> UInt32? {
        guard let expiresAt else { return nil }
        let ms = max(0, expiresAt - now)
        return UInt32(clamping: (ms + 999) / 1000)
    }
}
