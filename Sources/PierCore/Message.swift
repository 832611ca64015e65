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
///
/// The fields live in one copy-on-write box: a message is copied into every delivery, action, batch and
/// closure on its way through the broker, and a copy of the plain struct retained each of its references
/// (payload, strings, arrays) one by one through a value witness, about a tenth of the broker's CPU in
/// the QoS 0 p2p benchmark (`perf`, issue #16). A copy is now one retain; a change to a shared message
/// copies the box first, so it keeps value semantics.
public struct Message: Sendable, Equatable {
    struct Fields: Sendable, Equatable {
        var id: UInt64?
        var destination: Destination
        var payload: ByteBuffer
        var qos: QoS
        var retain: Bool
        var expiresAt: Int64?
        var contentType: String?
        var replyTo: Destination?
        var correlationData: [UInt8]?
        var payloadIsUTF8: Bool?
        var properties: [MessageProperty]
        var headers: MessageHeaders
        var origin: String?
    }

    /// Mutated only while uniquely referenced (`fields`' `_modify`), so sharing it across threads is safe.
    final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    private var fields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    /// Set by the broker for messages it stores or queues; ids grow in publish order.
    public var id: UInt64? {
        get { fields.id }
        _modify { yield &fields.id }
    }
    public var destination: Destination {
        get { fields.destination }
        _modify { yield &fields.destination }
    }
    public var payload: ByteBuffer {
        get { fields.payload }
        _modify { yield &fields.payload }
    }
    public var qos: QoS {
        get { fields.qos }
        _modify { yield &fields.qos }
    }
    public var retain: Bool {
        get { fields.retain }
        _modify { yield &fields.retain }
    }
    /// Absolute deadline in `BrokerClock` milliseconds; nil means it never expires.
    public var expiresAt: Int64? {
        get { fields.expiresAt }
        _modify { yield &fields.expiresAt }
    }
    public var contentType: String? {
        get { fields.contentType }
        _modify { yield &fields.contentType }
    }
    /// Where replies go (MQTT 5 response topic, JMSReplyTo, STOMP `reply-to`, AMQP `reply-to`).
    public var replyTo: Destination? {
        get { fields.replyTo }
        _modify { yield &fields.replyTo }
    }
    /// MQTT 5 correlation data; JMS, STOMP and AMQP correlation ids are its UTF-8 bytes.
    public var correlationData: [UInt8]? {
        get { fields.correlationData }
        _modify { yield &fields.correlationData }
    }
    /// MQTT payload format indicator: true when the payload is declared UTF-8.
    public var payloadIsUTF8: Bool? {
        get { fields.payloadIsUTF8 }
        _modify { yield &fields.payloadIsUTF8 }
    }
    /// Typed application properties in the order the producer gave them.
    public var properties: [MessageProperty] {
        get { fields.properties }
        _modify { yield &fields.properties }
    }
    public var headers: MessageHeaders {
        get { fields.headers }
        _modify { yield &fields.headers }
    }
    /// Client id of the publisher, used for no-local.
    public var origin: String? {
        get { fields.origin }
        _modify { yield &fields.origin }
    }

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
        storage = Storage(Fields(
            id: id, destination: destination, payload: payload, qos: qos, retain: retain, expiresAt: expiresAt,
            contentType: contentType, replyTo: responseTopic.map { .topic($0) }, correlationData: correlationData,
            payloadIsUTF8: payloadIsUTF8,
            properties: userProperties.isEmpty ? properties
                : userProperties.map { MessageProperty($0.name, .string($0.value)) } + properties,
            headers: headers, origin: origin))
    }

    public static func == (lhs: Message, rhs: Message) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
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
