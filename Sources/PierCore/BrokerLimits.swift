/// Per-broker limits the core enforces itself (protocol adapters enforce their own wire limits).
public struct BrokerLimits: Sendable {
    /// Messages held for a session that is offline or not keeping up; beyond it they are dropped and counted.
    public var maxQueuedMessages: Int
    /// Cap on the session expiry a client may ask for; `UInt32.max` means sessions may live forever.
    public var maxSessionExpiry: UInt32

    public init(maxQueuedMessages: Int = 1000, maxSessionExpiry: UInt32 = 86_400) {
        self.maxQueuedMessages = maxQueuedMessages
        self.maxSessionExpiry = maxSessionExpiry
    }
}
