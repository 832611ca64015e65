extension PierConfig {
    /// Resource ceilings. Types follow the MQTT field widths they end up in
    /// (Receive Maximum and Server Keep Alive are 16-bit, Session Expiry 32-bit),
    /// so the range checks at load time are the only ones needed.
    public struct Limits: Codable, Equatable, Sendable {
        /// Concurrent client connections for the whole broker.
        public var maxConnections: Int
        /// Largest packet accepted, in bytes (advertised as MQTT 5 Maximum Packet Size).
        public var maxPacketSize: Int
        /// Outgoing QoS 1/2 messages per session awaiting acknowledgement.
        public var maxInflight: UInt16
        /// Incoming QoS 1/2 messages per client the broker lets go unacknowledged.
        public var receiveMaximum: UInt16
        /// Messages held in memory for a connected client that is not keeping up (beyond its in-flight
        /// window) before new QoS 1/2 ones are dropped and counted. Offline persistent sessions are
        /// bounded by `maxQueuedBytes` instead.
        public var maxQueuedMessages: Int
        /// Payload and topic bytes queued per offline persistent session (in the log) before new
        /// messages are dropped, counted in `$SYS` and logged.
        public var maxQueuedBytes: Int
        /// Seconds; clients asking for more, or for 0, get this as Server Keep Alive.
        public var maxKeepalive: UInt16
        /// Topic aliases a client may use towards the broker; 0 disables them.
        public var topicAliasMaximum: UInt16
        /// Seconds a new socket may stay silent before sending CONNECT.
        public var connectTimeout: Int
        /// Seconds; cap on the session expiry clients ask for (0xFFFFFFFF means never).
        public var maxSessionExpiry: UInt32

        /// An MQTT packet is at most 1 type byte + 4 length bytes + 268,435,455.
        public static let packetSizeRange: ClosedRange<Int> = 64...268_435_460

        public init(
            maxConnections: Int = 10_000,
            maxPacketSize: Int = 1_048_576,
            maxInflight: UInt16 = 20,
            receiveMaximum: UInt16 = 100,
            maxQueuedMessages: Int = 1000,
            maxQueuedBytes: Int = 64 << 20,
            maxKeepalive: UInt16 = 3600,
            topicAliasMaximum: UInt16 = 10,
            connectTimeout: Int = 10,
            maxSessionExpiry: UInt32 = 86_400
        ) {
            self.maxConnections = maxConnections
            self.maxPacketSize = maxPacketSize
            self.maxInflight = maxInflight
            self.receiveMaximum = receiveMaximum
            self.maxQueuedMessages = maxQueuedMessages
            self.maxQueuedBytes = maxQueuedBytes
            self.maxKeepalive = maxKeepalive
            self.topicAliasMaximum = topicAliasMaximum
            self.connectTimeout = connectTimeout
            self.maxSessionExpiry = maxSessionExpiry
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxConnections = "max_connections"
            case maxPacketSize = "max_packet_size"
            case maxInflight = "max_inflight"
            case receiveMaximum = "receive_maximum"
            case maxQueuedMessages = "max_queued_messages"
            case maxQueuedBytes = "max_queued_bytes"
            case maxKeepalive = "max_keepalive"
            case topicAliasMaximum = "topic_alias_maximum"
            case connectTimeout = "connect_timeout"
            case maxSessionExpiry = "max_session_expiry"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let defaults = Limits()
            self.init(
                maxConnections: try map.integer(.maxConnections, default: defaults.maxConnections, min: 1),
                maxPacketSize: try map.integer(
                    .maxPacketSize, default: defaults.maxPacketSize,
                    min: Self.packetSizeRange.lowerBound, max: Self.packetSizeRange.upperBound),
                maxInflight: try map.integer(.maxInflight, default: defaults.maxInflight, min: 1, max: .max),
                receiveMaximum: try map.integer(.receiveMaximum, default: defaults.receiveMaximum, min: 1, max: .max),
                maxQueuedMessages: try map.integer(.maxQueuedMessages, default: defaults.maxQueuedMessages, min: 0),
                maxQueuedBytes: try map.integer(.maxQueuedBytes, default: defaults.maxQueuedBytes, min: 0),
                maxKeepalive: try map.integer(.maxKeepalive, default: defaults.maxKeepalive, min: 1, max: .max),
                topicAliasMaximum: try map.integer(
                    .topicAliasMaximum, default: defaults.topicAliasMaximum, min: 0, max: .max),
                connectTimeout: try map.integer(.connectTimeout, default: defaults.connectTimeout, min: 1, max: 3600),
                maxSessionExpiry: try map.integer(
                    .maxSessionExpiry, default: defaults.maxSessionExpiry, min: 0, max: .max))
        }
    }
}
