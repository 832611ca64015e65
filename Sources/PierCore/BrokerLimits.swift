/// Per-broker limits the core enforces itself (protocol adapters enforce their own wire limits).
public struct BrokerLimits: Sendable {
    /// Messages held for an offline persistent session; beyond it they are dropped and counted.
    /// Unbounded by default: those queues live in the log and are bounded by `maxQueuedBytes`.
    public var maxQueuedMessages: Int
    /// Payload and topic bytes held for one offline persistent session; beyond it new messages are
    /// dropped, counted (`BrokerStats.offlineMessagesDropped`) and logged.
    public var maxQueuedBytes: Int
    /// Cap on the session expiry a client may ask for; `UInt32.max` means sessions may live forever.
    public var maxSessionExpiry: UInt32

    public static let defaultMaxQueuedBytes = 64 << 20

    public init(maxQueuedMessages: Int = .max, maxQueuedBytes: Int = defaultMaxQueuedBytes, maxSessionExpiry: UInt32 = 86_400) {
        self.maxQueuedMessages = maxQueuedMessages
        self.maxQueuedBytes = maxQueuedBytes
        self.maxSessionExpiry = maxSessionExpiry
    }
}
