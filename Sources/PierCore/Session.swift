import NIOConcurrencyHelpers
import NIOCore

/// The broker's record of one client id: subscriptions, expiry, queued messages and delivery state.
/// It outlives connections for persistent sessions. Every mutable field is guarded by `lock`, because
/// publishers on any event loop deliver into it.
public final class Session: @unchecked Sendable {
    public let clientID: String
    let lock = NIOLock()

    // Guarded by `lock`.
    var identity: ClientIdentity
    var subscriptions: [String: SubscriptionOptions] = [:]
    var expiryInterval: UInt32 = 0
    var connection: (any SessionConnection)?
    var offlineQueue = MessageQueue<Delivery>()
    var deliveryState = SessionDeliveryState()
    var will: WillMessage?
    var pendingWill: Scheduled<Void>?
    var pendingWillMessage: Message?
    var takeoverWaiters: [@Sendable () -> Void] = []
    /// Bumped on every attach so timers armed for an older connection do nothing.
    var generation: UInt64 = 0
    var pendingExpiry: Scheduled<Void>?
    var ended = false

    init(identity: ClientIdentity) {
        self.clientID = identity.clientID
        self.identity = identity
    }

    public var isConnected: Bool { lock.withLock { connection != nil } }

    public var subscriptionFilters: [String: SubscriptionOptions] { lock.withLock { subscriptions } }

    /// A session that outlives its connection; only these write delivery progress to storage.
    public var isPersistent: Bool { lock.withLock { expiryInterval > 0 && !ended } }

    public var queuedCount: Int { lock.withLock { offlineQueue.count } }

    var generationForTimers: UInt64 { lock.withLock { generation } }

    var currentIdentity: ClientIdentity { lock.withLock { identity } }
}
