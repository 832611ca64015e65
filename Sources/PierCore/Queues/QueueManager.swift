import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PierSelector
import Synchronization

/// Every queue in the broker, and the verbs front ends use on them: send, consume with credit,
/// ack / release / reject, browse, purge and transactions. Persistent messages are written to the
/// log before they are queued; delivery runs on each consumer's event loop, never on the log writer.
public final class QueueManager: Sendable {
    let metrics: any MetricsFactory
    let storage: any BrokerStorage
    let group: any EventLoopGroup
    let policies: QueuePolicies
    let logger: Logger
    let nextID: @Sendable () -> UInt64
    let clock: @Sendable () -> Int64

    let queues = NIOLockedValueBox([String: BrokerQueue]())
    let topicRoutes = NIOLockedValueBox(TopicRoutes())
    private let nextConsumerID = Atomic<UInt64>(1)
    let nextTemporary = Atomic<UInt64>(1)
    /// Durable subscriptions, read without the lock on every topic publish.
    let durableCount = Atomic<Int>(0)

    public init(storage: any BrokerStorage, group: any EventLoopGroup, policies: QueuePolicies = QueuePolicies(),
                logger: Logger = Logger(label: "pier.queues"), metrics: any MetricsFactory = NOOPMetricsHandler.instance, clock: @escaping @Sendable () -> Int64 = { BrokerClock.nowMillis() },
                nextID: @escaping @Sendable () -> UInt64) {
        self.storage = storage
        self.metrics = metrics
        self.group = group
        self.policies = policies
        self.logger = logger
        self.clock = clock
        self.nextID = nextID
    }

    // MARK: - Registry

    /// The queue of that name, created on first use as ActiveMQ does.
    func queue(_ name: String) throws(QueueError) -> BrokerQueue {
        if name.hasPrefix(Self.temporaryQueuePrefix) {
            guard let q = queues.withLockedValue({ $0[name] }) else { throw .deletedTemporaryDestination(name) }
            return q
        }
        return queues.withLockedValue { map in
            if let q = map[name] { return q }
            let q = BrokerQueue(name: name, policy: policies.policy(for: name), metrics: metrics)
            map[name] = q
            return q
        }
    }

    public var queueNames: [String] { queues.withLockedValue { Array($0.keys).sorted() } }

    /// Waiting, scheduled and in-flight messages of a queue (0 for one that does not exist).
    public func depth(_ name: String) -> Int {
        guard let q = queues.withLockedValue({ $0[name] }) else { return 0 }
        return q.lock.withLock { q.messageCount }
    }

    // MARK: - Restore

    /// Rebuilds queues and durable subscriptions from storage; a message handed out before the
    /// restart comes back flagged redelivered.
    public func restore(_ state: StoredState) {
        for s in state.durableSubscriptions { restoreDurable(s) }
        let now = clock()
        for (name, messages) in state.queues {
            guard let q = try? queue(name) else { continue }
            q.lock.withLock {
                for m in messages { q.insert(QueuedEntry(message: m.message, deliveryCount: m.deliveryCount), now: now) }
            }
            schedule(q)
        }
    }

    // MARK: - Send

    /// Queues `message` (its destination names the queue). `completion` runs once it is durable
    /// (persistent) or queued (otherwise): that is when the producer may be acknowledged.
    public func send(_ message: Message, to queueName: String, transaction: QueueTransaction? = nil,
                     completion: @escaping @Sendable (Result<Void, QueueError>) -> Void) {
        var message = message
        message.destination = .queue(queueName)
        if message.id == nil { message.id = nextID() }
        if let transaction {
            do {
                _ = try queue(queueName)
                try transaction.stage { $0.sends.append((queueName, message)) }
                completion(.success(()))
            } catch {
                completion(.failure(error))
            }
            return
        }
        let q: BrokerQueue
        do { q = try queue(queueName) } catch {
            completion(.failure(error))
            return
        }
        admit(message, to: q, completion: completion)
    }

    /// Applies the queue's limit policy, then writes and queues the message.
    private func admit(_ message: Message, to q: BrokerQueue, completion: @escaping @Sendable (Result<Void, QueueError>) -> Void) {
        let entry = QueuedEntry(message: message)
        enum Decision { case go, reject, wait, dropped([QueuedEntry]) }
        let decision: Decision = q.lock.withLock {
            if q.hasRoom(for: entry.size) { return .go }
            switch q.policy.overflow {
            case .reject:
                return .reject
            case .block:
                q.blockedProducers.append((entry.size, { [self] in admit(message, to: q, completion: completion) },
                                           { completion(.failure($0)) }))
                return .wait
            case .dropOldest:
                var dropped: [QueuedEntry] = []
                while !q.hasRoom(for: entry.size), let e = q.dropOldest() { dropped.append(e) }
                return .dropped(dropped)
            }
        }
        switch decision {
        case .reject:
            q.counters.rejected.increment()
            completion(.failure(.full(queue: q.name)))
            return
        case .wait:
            return
        case .dropped(let entries):
            q.counters.dropped.increment(by: entries.count)
            logger.warning("queue full: dropped oldest messages", metadata: ["queue": "\(q.name)", "dropped": "\(entries.count)"])
            removeFromStorage(q, entries)
        case .go:
            break
        }
        q.counters.enqueued.increment()
        if message.isPersistent && q.temporaryOwner == nil {
            storage.append([.queueEnqueued(queue: q.name, message: message)], onCommit: CommitHop.toCallingLoop { [self] in
                enqueue([entry], into: q)
                completion(.success(()))
            })
        } else {
            enqueue([entry], into: q)
            completion(.success(()))
        }
    }

    func enqueue(_ entries: [QueuedEntry], into q: BrokerQueue) {
        let now = clock()
        q.lock.withLock {
            for e in entries { q.insert(e, now: now) }
        }
        schedule(q)
        dispatch(q)
    }

    // MARK: - Consumers

    /// Attaches a consumer. With `start: false` nothing is dispatched until `startDelivery`, so a front
    /// end can record the consumer before the first delivery reaches it (on its own loop, at once).
    public func addConsumer(queue name: String, options: ConsumerOptions, connection: any QueueConsumerConnection,
                            owner: ObjectIdentifier? = nil, start: Bool = true) throws(QueueError) -> QueueConsumer {
        let q = try queue(name)
        let consumer = QueueConsumer(id: nextConsumerID.wrappingAdd(1, ordering: .relaxed).oldValue, queueName: name,
                                     options: options, connection: connection, owner: owner)
        q.lock.withLock { q.add(consumer) }
        if start { dispatch(q) }
        return consumer
    }

    public func startDelivery(_ consumer: QueueConsumer) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { return }
        dispatch(q)
    }

    /// Detaches the consumer. Messages it had not acknowledged are redelivered to others (or
    /// dead-lettered once they reach the redelivery limit). `notDelivered` names the ones the front end
    /// knows never reached the application (a JMS client's prefetched, unconsumed messages): their
    /// dispatch does not count as a delivery, so they come back without the redelivered mark.
    public func closeConsumer(_ consumer: QueueConsumer, notDelivered: Set<UInt64> = []) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { return }
        let back = q.lock.withLock { q.remove(consumer, notDelivered: notDelivered) }
        let uncounted = back.filter { notDelivered.contains($0.id) && $0.message.isPersistent }
        if !uncounted.isEmpty && q.temporaryOwner == nil {
            // Recovery must not resurrect the count the dispatch logged.
            storage.append(uncounted.map { .queueDelivered(queue: q.name, messageID: $0.id, deliveryCount: $0.deliveryCount) },
                           onCommit: nil)
        }
        returnToQueue(back, q, reason: "consumer closed")
    }

    /// Whether `consumer` holds the message `tag` unsettled (a front end with several consumers for one
    /// client consumer finds which one an acknowledgement is for).
    public func holds(_ consumer: QueueConsumer, tag: UInt64) -> Bool {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { return false }
        return q.lock.withLock { consumer.unacked.contains(tag) }
    }

    /// Adds credit (prefetch window or AMQP link credit) and dispatches what it allows.
    public func grantCredit(_ consumer: QueueConsumer, _ n: Int) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { return }
        q.lock.withLock { q.grantCredit(consumer, n) }
        dispatch(q)
    }

    public func setCredit(_ consumer: QueueConsumer, _ n: Int) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { return }
        q.lock.withLock { q.setCredit(consumer, n) }
        dispatch(q)
    }

    // MARK: - Acknowledgement

    /// Acknowledges one message. In a transaction it takes effect at commit.
    public func ack(_ consumer: QueueConsumer, tag: UInt64, transaction: QueueTransaction? = nil,
                    onCommit: (@Sendable () -> Void)? = nil) throws(QueueError) {
        try ack(consumer, tags: [tag], transaction: transaction, onCommit: onCommit)
    }

    /// Acknowledges every message the consumer holds up to and including `tag` (JMS client ack).
    public func ackCumulative(_ consumer: QueueConsumer, through tag: UInt64, transaction: QueueTransaction? = nil,
                              onCommit: (@Sendable () -> Void)? = nil) throws(QueueError) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { throw .unknownDeliveryTag(tag) }
        let tags = q.lock.withLock { q.tags(consumer, through: tag) }
        guard !tags.isEmpty else { throw .unknownDeliveryTag(tag) }
        try ack(consumer, tags: tags, transaction: transaction, onCommit: onCommit)
    }

    private func ack(_ consumer: QueueConsumer, tags: [UInt64], transaction: QueueTransaction?,
                     onCommit: (@Sendable () -> Void)?) throws(QueueError) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }) else { throw .unknownDeliveryTag(tags.first ?? 0) }
        if let transaction {
            let held = q.lock.withLock { tags.allSatisfy { consumer.unacked.contains($0) } }
            guard held else { throw .unknownDeliveryTag(tags.first ?? 0) }
            try transaction.stage { s in for t in tags { s.acks.append((consumer, t)) } }
            onCommit?()
            return
        }
        let settled: [QueuedEntry] = q.lock.withLock { tags.compactMap { q.settle(consumer, tag: $0) } }
        guard !settled.isEmpty else { throw .unknownDeliveryTag(tags.first ?? 0) }
        q.counters.dequeued.increment(by: settled.count)
        // A lost acknowledgement only means a redelivery, so one nobody waits for does not commit on its own.
        removeFromStorage(q, settled, onCommit: onCommit, lazy: onCommit == nil)
        roomFreed(q)
        dispatch(q)
    }

    /// Puts a message back for redelivery (STOMP NACK, AMQP released/modified); past the queue's
    /// redelivery limit it goes to the dead-letter queue instead.
    /// `countsAsFailure: false` (AMQP `released`, or `modified` without `delivery-failed`) takes the
    /// delivery back out of the message's delivery count, so it neither shows as redelivered nor nears the limit.
    public func release(_ consumer: QueueConsumer, tag: UInt64, countsAsFailure: Bool = true) throws(QueueError) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }),
              var e = q.lock.withLock({ q.settle(consumer, tag: tag) }) else { throw .unknownDeliveryTag(tag) }
        if !countsAsFailure && e.deliveryCount > 0 { e.deliveryCount -= 1 }
        returnToQueue([e], q, reason: "released")
    }

    /// Dead-letters a message at once (AMQP rejected, JMS poison ack).
    public func reject(_ consumer: QueueConsumer, tag: UInt64, reason: String = "rejected") throws(QueueError) {
        guard let q = queues.withLockedValue({ $0[consumer.queueName] }),
              let e = q.lock.withLock({ q.settle(consumer, tag: tag) }) else { throw .unknownDeliveryTag(tag) }
        deadLetter([e], from: q, reason: reason)
        roomFreed(q)
        dispatch(q)
    }

    /// Messages that come back unacknowledged: requeued in their place, or dead-lettered past the limit.
    func returnToQueue(_ entries: [QueuedEntry], _ q: BrokerQueue, reason: String) {
        guard !entries.isEmpty else {
            dispatch(q)
            return
        }
        let limit = q.policy.maxRedeliveries
        let dead = entries.filter { $0.deliveryCount > limit }
        let back = entries.filter { $0.deliveryCount <= limit }
        let now = clock()
        if !back.isEmpty { q.lock.withLock { for e in back { q.insert(e, now: now) } } }
        if !dead.isEmpty {
            deadLetter(dead, from: q, reason: "redelivered \(limit) times (\(reason))")
            roomFreed(q)
        }
        dispatch(q)
    }

    // MARK: - Browse and purge

    /// The queue's messages in order, without consuming them; a selector filters them.
    public func browse(queue name: String, selector: MessageSelector? = nil) -> [Message] {
        guard let q = queues.withLockedValue({ $0[name] }) else { return [] }
        let now = clock()
        let all = q.lock.withLock { q.snapshot(now: now) }
        guard let selector else { return all }
        return all.filter { selector.matches($0) }
    }

    /// Removes every message not in flight; returns how many went.
    @discardableResult
    public func purge(queue name: String) -> Int {
        guard let q = queues.withLockedValue({ $0[name] }) else { return 0 }
        let removed = q.lock.withLock { q.purge() }
        removeFromStorage(q, removed)
        roomFreed(q)
        return removed.count
    }

    // MARK: - Internals

    func removeFromStorage(_ q: BrokerQueue, _ entries: [QueuedEntry], onCommit: (@Sendable () -> Void)? = nil, lazy: Bool = false) {
        if let record = removalRecord(q, entries) {
            if lazy && onCommit == nil {
                storage.appendLazily([record])
            } else {
                storage.append([record], onCommit: onCommit)
            }
        } else {
            onCommit?()
        }
    }

    /// The record that takes `entries` out of `q` in the log; nil when none of them was written there
    /// (non-persistent messages, temporary queues).
    func removalRecord(_ q: BrokerQueue, _ entries: [QueuedEntry]) -> StorageRecord? {
        guard q.temporaryOwner == nil else { return nil }
        let ids = entries.filter { $0.message.isPersistent }.map(\.id)
        return ids.isEmpty ? nil : .queueRemoved(queue: q.name, messageIDs: ids)
    }

    /// Lets blocked producers in while there is room, oldest first.
    func roomFreed(_ q: BrokerQueue) {
        let resumed: [@Sendable () -> Void] = q.lock.withLock {
            var out: [@Sendable () -> Void] = []
            var pending = 0
            while let first = q.blockedProducers.first, q.messageCount + out.count < q.policy.maxMessages,
                  q.bytes + pending + first.size <= q.policy.maxBytes {
                pending += first.size
                out.append(first.resume)
                q.blockedProducers.removeFirst()
            }
            return out
        }
        for r in resumed { r() }
    }

    func dispatch(_ q: BrokerQueue) {
        let now = clock()
        let round = q.lock.withLock { q.dispatch(now: now) }
        if !round.expired.isEmpty { expire(round.expired, from: q) }
        if !round.delivered.isEmpty && q.temporaryOwner == nil {
            // Written at once (nobody waits for them): a standby that takes over must flag what was delivered
            // as redelivered, and JMS failover expects it (test_24). Held back for a lazy ride, a count was lost
            // to a kill -9 right after the client had the message.
            storage.append(round.delivered.map { .queueDelivered(queue: q.name, messageID: $0.id, deliveryCount: $0.count) }, onCommit: nil)
        }
        let autoAcked = round.deliveries.filter { $0.0.options.autoAck }.map { QueuedEntry(message: $0.1.message) }
        if !autoAcked.isEmpty {
            q.counters.dequeued.increment(by: autoAcked.count)
            removeFromStorage(q, autoAcked, lazy: true)
        }
        var byLoop: [ObjectIdentifier: (any EventLoop, [ObjectIdentifier: (any QueueConsumerConnection, [QueueDelivery])])] = [:]
        for (consumer, delivery) in round.deliveries {
            let loop = consumer.connection.eventLoop
            let key = ObjectIdentifier(consumer.connection)
            byLoop[ObjectIdentifier(loop), default: (loop, [:])].1[key, default: (consumer.connection, [])].1.append(delivery)
        }
        for (_, (loop, batches)) in byLoop {
            let work = Array(batches.values)
            if loop.inEventLoop {
                for (c, d) in work { c.deliver(d) }
            } else {
                // Through the loop's inbox: the dispatches of one commit batch wake a consumer loop once.
                LoopInbox.of(loop).post { for (c, d) in work { c.deliver(d) } }
            }
        }
    }

    /// Arms one timer for the queue's earliest scheduled message (none if an earlier one is armed).
    func schedule(_ q: BrokerQueue) {
        let now = clock()
        let arm: Int64? = q.lock.withLock {
            guard let next = q.promoteScheduled(now: now) else { return nil }
            if let armed = q.timerDeadline, armed <= next { return nil }
            q.timerDeadline = next
            return next
        }
        guard let arm else { return }
        group.next().scheduleTask(in: .milliseconds(max(1, arm - now))) { [self] in
            q.lock.withLock { if q.timerDeadline == arm { q.timerDeadline = nil } }
            schedule(q)
            dispatch(q)
        }
    }
}
