/// The broker-side MQTT limits a connection enforces and advertises in CONNACK.
public struct MQTTServerConfiguration: Sendable {
    /// Largest packet accepted from clients (advertised as Maximum Packet Size).
    public var maximumPacketSize: Int
    /// Incoming QoS 1/2 publishes a client may have unacknowledged (advertised as Receive Maximum).
    public var receiveMaximum: UInt16
    /// Outgoing QoS 1/2 publishes in flight per session, further capped by the client's Receive Maximum.
    public var maxInflight: Int
    /// Outgoing messages waiting behind a full in-flight window; beyond it they are dropped and counted.
    public var maxQueued: Int
    /// Clients asking a longer keepalive (or none) get this as Server Keep Alive.
    public var maxKeepAlive: UInt16
    /// Aliases a client may use towards the broker (advertised as Topic Alias Maximum).
    public var topicAliasMaximum: UInt16
    public var maxSessionExpiry: UInt32
    /// Milliseconds a socket may stay silent before CONNECT.
    public var connectTimeoutMillis: Int64

    public init(maximumPacketSize: Int = 1_048_576, receiveMaximum: UInt16 = 100, maxInflight: Int = 20, maxQueued: Int = 1000,
                maxKeepAlive: UInt16 = 3600, topicAliasMaximum: UInt16 = 10, maxSessionExpiry: UInt32 = 86_400,
                connectTimeoutMillis: Int64 = 10_000) {
        self.maximumPacketSize = maximumPacketSize
        self.receiveMaximum = receiveMaximum
        self.maxInflight = maxInflight
        self.maxQueued = maxQueued
        self.maxKeepAlive = maxKeepAlive
        self.topicAliasMaximum = topicAliasMaximum
        self.maxSessionExpiry = maxSessionExpiry
        self.connectTimeoutMillis = connectTimeoutMillis
    }
}
