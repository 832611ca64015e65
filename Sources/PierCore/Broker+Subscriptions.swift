import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Topic subscriptions in the routing trie, and the retained messages a new one receives.
extension Broker {
    // MARK: - Subscriptions

    /// Adds or replaces a subscription. Returns whether it is new and the retained messages it should receive.
    public func subscribe(session: Session, filter: String, options: SubscriptionOptions) -> (isNew: Bool, retained: [Delivery]) {
        let existed = session.lock.withLock { () -> Bool in
            let existed = session.subscriptions[filter] != nil
            session.subscriptions[filter] = options
            return existed
        }
        let isShared = Topic.parseShared(filter) != nil
        let retained: [Message] = routing.withLockedValue { r in
            Self.insert(filter: filter, options: options, session: session, into: &r.tree)
            let sendRetained: Bool
            switch options.retainHandling {
            case .sendOnSubscribe: sendRetained = true
            case .sendOnNewSubscribe: sendRetained = !existed
            case .doNotSend: sendRetained = false
            }
            // Shared subscriptions never receive retained messages (MQTT 5, 4.8.2).
            guard sendRetained, !isShared else { return [] }
            return r.retained.matching(filter: filter, now: BrokerClock.nowMillis())
        }
        persist(session)
        let identity = session.currentIdentity
        let deliveries = retained.compactMap { m -> Delivery? in
            guard authorizer.canRead(identity, topic: m.topic) else { return nil }
            var ids: [UInt32] = []
            if let id = options.subscriptionIdentifier { ids.append(id) }
            return Delivery(message: m, qos: min(m.qos, options.qos), retain: true, subscriptionIdentifiers: ids)
        }
        return (!existed, deliveries)
    }

    /// Returns false when there was no such subscription.
    @discardableResult
    public func unsubscribe(session: Session, filter: String) -> Bool {
        let existed = session.lock.withLock { session.subscriptions.removeValue(forKey: filter) != nil }
        guard existed else { return false }
        routing.withLockedValue { r in Self.remove(filter: filter, session: session, from: &r.tree) }
        persist(session)
        return true
    }

    static func insert(filter: String, options: SubscriptionOptions, session: Session, into tree: inout SubscriptionTree) {
        if let (group, inner) = Topic.parseShared(filter) {
            tree.insert(filter: inner, shareGroup: group, session: session, options: options)
        } else {
            tree.insert(filter: filter, shareGroup: nil, session: session, options: options)
        }
    }

    static func remove(filter: String, session: Session, from tree: inout SubscriptionTree) {
        if let (group, inner) = Topic.parseShared(filter) {
            tree.remove(filter: inner, shareGroup: group, session: session)
        } else {
            tree.remove(filter: filter, shareGroup: nil, session: session)
        }
    }
}
