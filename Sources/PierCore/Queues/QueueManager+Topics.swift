import PierSelector

/// How topic traffic reaches queues: ActiveMQ virtual topics, durable subscriptions, composite
/// destinations, and temporary destinations that live as long as their connection.
extension QueueManager {
    static let temporaryQueuePrefix = "ID:pier-temp-queue-"
    static let temporaryTopicPrefix = "ID:pier-temp-topic-"

    // MARK: - Topic fan-out

    /// The queue copies a topic publish makes: one per `Consumer.NAME.VirtualTopic.X` queue for a
    /// publish to `VirtualTopic.X`, and one per matching durable subscription. The caller writes the
    /// persistent ones (`StorageRecord.queueEnqueued`) in the publish's own log record, then calls
    /// `deliverCopies` once that commits.
    public func topicCopies(of message: Message) -> [(queue: String, message: Message)] {
        // Every publish passes here: without durable subscriptions or a virtual topic it must cost nothing.
        let isVirtual = message.topic.utf8.starts(with: "VirtualTopic/".utf8)
        guard isVirtual || durableCount.load(ordering: .relaxed) > 0 else { return [] }
        var out: [(String, Message)] = []
        if isVirtual {
            let suffix = "." + Destination.dottedName(fromMQTT: message.topic)
            for name in queues.withLockedValue({ Array($0.keys) }) where name.hasPrefix("Consumer.") && name.hasSuffix(suffix) {
                // Consumer.NAME.VirtualTopic.X: NAME is one level.
                let middle = name.dropFirst("Consumer.".count).dropLast(suffix.count)
                if !middle.isEmpty && !middle.contains(".") { out.append((name, message)) }
            }
        }
        if durableCount.load(ordering: .relaxed) > 0 {
            let durable = topicRoutes.withLockedValue { Array($0.durable.values) }
            for d in durable where Topic.matches(filter: d.subscription.filter, topic: message.topic) {
                if d.subscription.noLocal && message.origin == d.subscription.clientID { continue }
                if let s = d.selector, !s.matches(message) { continue }
                out.append((d.subscription.queueName, message))
            }
        }
        return out.map { name, m in
            var copy = m
            copy.id = nextID()
            // A virtual-topic consumer reads its own queue; a durable subscriber still reads the topic.
            if !name.hasPrefix("$durable/") { copy.destination = .queue(name) }
            copy.retain = false
            return (name, copy)
        }
    }

    /// Queues copies made by `topicCopies` once their records are durable.
    public func deliverCopies(_ copies: [(queue: String, message: Message)]) {
        for (name, m) in copies {
            guard let q = try? queue(name) else { continue }
            q.counters.enqueued.increment()
            enqueue([QueuedEntry(message: m)], into: q)
        }
    }

    // MARK: - Durable subscriptions

    /// Creates the subscription, or replaces it when the filter, selector or no-local changed
    /// (JMS: a changed subscription starts empty). Returns the queue to consume from.
    public func subscribeDurable(_ subscription: DurableSubscription) throws(SelectorError) -> String {
        let selector = try MessageSelector.compile(subscription.selector)
        let changed: Bool = topicRoutes.withLockedValue { routes in
            let old = routes.durable[subscription.queueName]?.subscription
            routes.durable[subscription.queueName] = .init(subscription: subscription, selector: selector)
            durableCount.store(routes.durable.count, ordering: .relaxed)
            return old != subscription
        }
        if changed {
            purge(queue: subscription.queueName)
            storage.append([.durableSubscriptionSaved(subscription)], onCommit: nil)
        }
        _ = try? queue(subscription.queueName)
        return subscription.queueName
    }

    /// Removes a durable subscription and its waiting messages.
    public func unsubscribeDurable(clientID: String, name: String) -> Bool {
        let key = DurableSubscription(clientID: clientID, name: name, filter: "").queueName
        let existed = topicRoutes.withLockedValue { routes in
            defer { durableCount.store(routes.durable.count, ordering: .relaxed) }
            return routes.durable.removeValue(forKey: key) != nil
        }
        guard existed else { return false }
        purge(queue: key)
        queues.withLockedValue { $0.removeValue(forKey: key) }?.counters.destroy()
        storage.append([.durableSubscriptionDeleted(clientID: clientID, name: name)], onCommit: nil)
        return true
    }

    public var durableSubscriptions: [DurableSubscription] {
        topicRoutes.withLockedValue { $0.durable.values.map(\.subscription) }.sorted { $0.queueName < $1.queueName }
    }

    func restoreDurable(_ subscription: DurableSubscription) {
        let selector = try? MessageSelector.compile(subscription.selector)
        topicRoutes.withLockedValue { routes in
            routes.durable[subscription.queueName] = .init(subscription: subscription, selector: selector ?? nil)
            durableCount.store(routes.durable.count, ordering: .relaxed)
        }
    }

    // MARK: - Composite destinations

    /// ActiveMQ's composite destinations: `a,b` is both; a part may switch kind with `queue://` or `topic://`.
    public static func split(_ destination: Destination) -> [Destination] {
        guard destination.name.contains(",") else { return [destination] }
        return destination.name.split(separator: ",").map { part in
            let p = String(part).trimmingWhitespace
            if p.hasPrefix("queue://") { return .queue(String(p.dropFirst(8))) }
            if p.hasPrefix("topic://") { return .topic(String(p.dropFirst(8))) }
            switch destination {
            case .queue: return .queue(p)
            case .topic: return .topic(p)
            }
        }
    }

    // MARK: - Temporary destinations

    /// A queue only `owner`'s connection may consume from, gone when that connection closes.
    public func createTemporaryQueue(owner: ObjectIdentifier) -> String {
        let name = Self.temporaryQueuePrefix + String(nextTemporary.wrappingAdd(1, ordering: .relaxed).oldValue)
        let q = BrokerQueue(name: name, policy: policies.policy(for: name), temporaryOwner: owner, metrics: metrics)
        queues.withLockedValue { $0[name] = q }
        return name
    }

    public func createTemporaryTopic(owner: ObjectIdentifier) -> String {
        let name = Self.temporaryTopicPrefix + String(nextTemporary.wrappingAdd(1, ordering: .relaxed).oldValue)
        topicRoutes.withLockedValue { $0.temporaryTopics[name] = owner }
        return name
    }

    /// Publishing to a temporary topic whose connection closed is an error the client sees.
    public func checkTopic(_ topic: String) throws(QueueError) {
        guard topic.hasPrefix(Self.temporaryTopicPrefix) else { return }
        if topicRoutes.withLockedValue({ $0.temporaryTopics[topic] == nil }) { throw .deletedTemporaryDestination(topic) }
    }

    /// Deletes every temporary destination `owner` created (its connection closed).
    public func deleteTemporaryDestinations(owner: ObjectIdentifier) {
        let gone: [BrokerQueue] = queues.withLockedValue { map in
            let mine = map.values.filter { $0.temporaryOwner == owner }
            for q in mine { map[q.name] = nil }
            return mine
        }
        topicRoutes.withLockedValue { $0.temporaryTopics = $0.temporaryTopics.filter { $0.value != owner } }
        for q in gone { discard(q) }
    }

    /// Deletes one temporary queue or topic `owner` created, before its connection closes (JMS
    /// `TemporaryQueue.delete()`); a name that is not `owner`'s is left alone.
    public func deleteTemporaryDestination(_ name: String, owner: ObjectIdentifier) {
        let gone: BrokerQueue? = queues.withLockedValue { map in
            guard let q = map[name], q.temporaryOwner == owner else { return nil }
            map[name] = nil
            return q
        }
        topicRoutes.withLockedValue { routes in
            if routes.temporaryTopics[name] == owner { routes.temporaryTopics[name] = nil }
        }
        if let gone { discard(gone) }
    }

    private func discard(_ q: BrokerQueue) {
        let blocked = q.lock.withLock { () -> [@Sendable (QueueError) -> Void] in
            _ = q.purge()
            defer { q.blockedProducers = [] }
            return q.blockedProducers.map(\.fail)
        }
        // A producer still waiting for room in a queue that no longer exists gets the error a new send would.
        for fail in blocked { fail(.deletedTemporaryDestination(q.name)) }
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
