import PierCore

/// What a CONNECT asks of the broker, after the state machine has applied its rules.
public struct MQTTConnectRequest: Sendable {
    public var clientID: String
    /// Set when the broker made up the client id (returned in CONNACK on 5.0).
    public var assignedClientID: String?
    public var username: String?
    public var password: [UInt8]?
    public var cleanStart: Bool
    /// Effective expiry after the broker's cap.
    public var sessionExpiry: UInt32
    public var will: WillMessage?
    /// What the client asked, so CONNACK can tell it when the cap changed it.
    public var requestedSessionExpiry: UInt32?
    public var serverKeepAlive: UInt16?
}
