import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The protocol-neutral heart of Pier, called from every event loop. Its concerns live in one file each:
/// the session registry (`Broker+Sessions`), wills and expiry (`Broker+Wills`), subscriptions
/// (`Broker+Subscriptions`), the router (`Broker+Publish`), delivery (`Broker+Delivery`), and queues in
/// `QueueManager`. The routing table sits behind one lock held only for the match itself; deliveries are
/// grouped by the target connection's event loop so each loop gets one task per publish.
public final class Broker: Sendable {
    public let stats: BrokerStats
    /// Where the core and every listener make their metric handles.
    public let metricsFactory: any MetricsFactory
    public let limits: BrokerLimits
    public let authorizer: any Authorizer
    let storage: any BrokerStorage
    let group: any EventLoopGroup
    let logger: Logger

    let routing = NIOLockedValueBox(Routing())
    let sessions = NIOLockedValueBox([String: Session]())
    let messageIDs: MessageIDSource
    /// Queues, durable subscriptions and transactions: the point-to-point half of the core.
    public let queues: QueueManager
    let taps = NIOLockedValueBox<[any MessageTap]>([])

    struct Routing: @unchecked Sendable {
        var tree = SubscriptionTree()
        var retained = RetainedStore()
    }

    public init(group: any EventLoopGroup, storage: any BrokerStorage = InMemoryStorage(), authorizer: any Authorizer = AllowAllAuthorizer(),
                limits: BrokerLimits = .init(), queuePolicies: QueuePolicies = QueuePolicies(),
                logger: Logger = Logger(label: "pier.broker"), metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        let ids = MessageIDSource()
        self.metricsFactory = metrics
        self.stats = BrokerStats(factory: metrics)
        self.messageIDs = ids
        self.queues = QueueManager(storage: storage, group: group, policies: queuePolicies, logger: logger, metrics: metrics,
                                   nextID: { ids.take() })
        self.group = group
        self.storage = storage
        self.authorizer = authorizer
        self.limits = limits
        self.logger = logger
    }

    // MARK: - Start-up

    /// Rebuilds retained messages and offline persistent sessions, with their queues and in-flight state.
    public func restore() throws {
        let state = try storage.load()
        messageIDs.resume(after: state.lastMessageID)
        queues.restore(state)
        routing.withLockedValue { r in
            for m in state.retained { r.retained.apply(m) }
        }
        for stored in state.sessions {
            let session = Session(identity: ClientIdentity(clientID: stored.clientID, username: stored.username))
            session.expiryInterval = stored.expiryInterval
            session.subscriptions = SessionSubscriptions(stored.subscriptions)
            var delivery = SessionDeliveryState()
            delivery.incoming = stored.incomingKeys
            for q in stored.queued {
                if let key = q.key {
                    delivery.outgoing.append(.init(key: key, delivery: q.delivery, advanced: q.advanced))
                } else {
                    session.offlineQueue.append(q.delivery)
                }
            }
            session.deliveryState = delivery
            sessions.withLockedValue { $0[stored.clientID] = session }
            routing.withLockedValue { r in
                for (filter, options) in stored.subscriptions { Self.insert(filter: filter, options: options, session: session, into: &r.tree) }
            }
            scheduleExpiry(session, generation: session.generationForTimers)
        }
    }

    /// Adds a tap (a bridge): from now on every publish is offered to it.
    public func addTap(_ tap: any MessageTap) {
        taps.withLockedValue { $0.append(tap) }
    }

    // MARK: - Counts

    public var sessionCount: Int { sessions.withLockedValue { $0.count } }
    public var subscriptionCount: Int { routing.withLockedValue { $0.tree.count } }
    public var retainedCount: Int { routing.withLockedValue { $0.retained.count } }

    public func session(clientID: String) -> Session? { sessions.withLockedValue { $0[clientID] } }

    // MARK: - Housekeeping

    public func retainedMessages(matching filter: String) -> [Message] {
        routing.withLockedValue { $0.retained.matching(filter: filter, now: BrokerClock.nowMillis()) }
    }

    /// Asks every live connection to close with the protocol's shutdown reason.
    public func disconnectAll() {
        let connections = sessions.withLockedValue { Array($0.values) }.compactMap { s in s.lock.withLock { s.connection } }
        for c in connections { c.serverShuttingDown() }
    }
}
