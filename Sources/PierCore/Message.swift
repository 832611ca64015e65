import NIOCore

/// A name/value pair carried end to end (MQTT 5 user property, STOMP header, AMQP application property).
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
    /// Set by the broker for QoS 1/2 messages it stores; ids grow in publish order.
    public var id: UInt64?
    public var destination: Destination
    public var payload: ByteBuffer
    public var qos: QoS
    public var retain: Bool
    /// Absolute deadline in `BrokerClock` milliseconds; nil means it never expires.
    public var expiresAt: Int64?
    public var contentType: String?
    public var responseTopic: String?
    public var correlationData: [UInt8]?
    /// MQTT payload format indicator: true when the payload is declared UTF-8.
    public var payloadIsUTF8: Bool?
    public var userProperties: [UserProperty]
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
        origin: String? = nil
    ) {
        self.id = id
        self.destination = destination
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.expiresAt = expiresAt
        self.contentType = contentType
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.payloadIsUTF8 = payloadIsUTF8
        self.userProperties = userProperties
        self.origin = origin
    }

    public var topic: String { destination.name }

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
