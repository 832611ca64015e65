/// One MQTT session as the admin API lists it.
public struct SessionSummary: Sendable, Equatable {
    public var clientID: String
    public var username: String?
    public var connected: Bool
    /// Outlives its connection (a session expiry interval above zero).
    public var persistent: Bool
    public var subscriptions: Int
    /// Messages held for it while offline.
    public var queued: Int
}
