import NIOCore

/// The broker's record of one client id: subscriptions, expiry, queued messages and delivery state.
/// It outlives connections for persistent sessions. Every mutable field is guarded by `lock`, because
/// publishers on any event loop deliver into it.
public final class Session: @unchecked Sendable {
    public let clientID: String
    let lock = InlineLock()

    // Guarded by `lock`. The small fields are declared where they fill padding (after the 4-byte lock,
    // after the subscriptions' 26 bytes): stored fields are laid out in declaration order, and there is a
    // session per client.
    var expiryInterval: UInt32 = 0
    var identity: ClientIdentity
    var subscriptions: SessionSubscriptions = [:]
    var ended = false
    var connection: (any SessionConnection)?
    var offlineQueue = OfflineQueue()
    var deliveryState = SessionDeliveryState()
    var takeoverWaiters: [@Sendable () -> Void] = []
    /// Bumped on every attach so timers armed for an older connection do nothing.
    var generation: UInt64 = 0
    /// Wills and timers, which most idle devices never have: kept out of line so they cost nothing until used.
    private var lifecycle: Lifecycle?

    private final class Lifecycle {
        var will: WillMessage?
        var pendingWill: Scheduled<Void>?
        var pendingWillMessage: Message?
        var pendingExpiry: Scheduled<Void>?
    }

    private func lifecycle<T>(_ key: ReferenceWritableKeyPath<Lifecycle, T?>, set value: T?) {
        if value == nil && lifecycle == nil { return }
        let l = lifecycle ?? Lifecycle()
        lifecycle = l
        l[keyPath: key] = value
        if l.will == nil && l.pendingWill == nil && l.pendingWillMessage == nil && l.pendingExpiry == nil { lifecycle = nil }
    }

    var will: WillMessage? {
        get { lifecycle?.will }
        set { lifecycle(\.will, set: newValue) }
    }

    var pendingWill: Scheduled<Void>? {
        get { lifecycle?.pendingWill }
        set { lifecycle(\.pendingWill, set: newValue) }
    }

    var pendingWillMessage: Message? {
        get { lifecycle?.pendingWillMessage }
        set { lifecycle(\.pendingWillMessage, set: newValue) }
    }

    var pendingExpiry: Scheduled<Void>? {
        get { lifecycle?.pendingExpiry }
        set { lifecycle(\.pendingExpiry, set: newValue) }
    }

    init(identity: ClientIdentity) {
        self.clientID = identity.clientID
        self.identity = identity
    }

    public var isConnected: Bool { lock.withLock { connection != nil } }

    public var subscriptionFilters: [String: SubscriptionOptions] { lock.withLock { subscriptions.dictionary } }

    /// A session that outlives its connection; only these write delivery progress to storage.
    public var isPersistent: Bool { lock.withLock { expiryInterval > 0 && !ended } }

    public var queuedCount: Int { lock.withLock { offlineQueue.count } }

    /// Bytes of payload and topic queued for this session while offline.
    public var queuedBytes: Int { lock.withLock { offlineQueue.bytes } }

    var generationForTimers: UInt64 { lock.withLock { generation } }

    var currentIdentity: ClientIdentity { lock.withLock { identity } }
}
