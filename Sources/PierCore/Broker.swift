import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The protocol-neutral heart of Pier: sessions, subscriptions, retained messages and routing.
/// Called from every event loop. The routing table sits behind one lock held only for the match itself;
/// deliveries are grouped by the target connection's event loop so each loop gets one task per publish.
public final class Broker: Sendable {
    public let stats = BrokerStats()
    public let limits: BrokerLimits
    public let authorizer: any Authorizer
    let storage: any BrokerStorage
    let group: any EventLoopGroup
    let logger: Logger

    private let routing = NIOLockedValueBox(Routing())
    private let sessions = NIOLockedValueBox([String: Session]())
    private let messageIDs: MessageIDSource
    /// Queues, durable subscriptions and transactions: the point-to-point half of the core.
    public let queues: QueueManager
    private let taps = NIOLockedValueBox<[any MessageTap]>([])

    private struct Routing: @unchecked Sendable {
        var tree = SubscriptionTree()
        var retained = RetainedStore()
    }

    public init(group: any EventLoopGroup, storage: any BrokerStorage = InMemoryStorage(), authorizer: any Authorizer = AllowAllAuthorizer(),
                limits: BrokerLimits = .init(), queuePolicies: QueuePolicies = QueuePolicies(),
                logger: Logger = Logger(label: "pier.broker")) {
        let ids = MessageIDSource()
        self.messageIDs = ids
        self.queues = QueueManager(storage: storage, group: group, policies: queuePolicies, logger: logger, nextID: { ids.take() })
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
            session.subscriptions = stored.subscriptions
            var delivery = SessionDeliveryState()
            delivery.incomingExactlyOnce = stored.incomingExactlyOnce
            var highestPacketID: UInt16 = 0
            for q in stored.queued {
                if let pid = q.packetID {
                    delivery.outgoing.append(.init(packetID: pid, delivery: q.delivery, phase: q.released ? .awaitingComplete : .awaitingAck))
                    highestPacketID = max(highestPacketID, pid)
                } else {
                    session.offlineQueue.append(q.delivery)
                }
            }
            delivery.nextPacketID = highestPacketID == UInt16.max ? 1 : highestPacketID + 1
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

    // MARK: - Connect and disconnect

    /// Binds `connection` to the session for `identity.clientID`, taking it over from any current connection first.
    /// The future completes on `connection.eventLoop` once the previous connection has handed its state back.
    public func attach(identity: ClientIdentity, cleanStart: Bool, expiryInterval: UInt32, will: WillMessage?,
                       connection: any SessionConnection) -> EventLoopFuture<AttachResult> {
        let loop = connection.eventLoop
        let (existing, previous): (Session?, (any SessionConnection)?) = sessions.withLockedValue { map in
            guard let s = map[identity.clientID] else { return (nil, nil) }
            return (s, s.lock.withLock { s.connection })
        }
        guard let existing, previous != nil else {
            return loop.makeSucceededFuture(finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                                         will: will, connection: connection))
        }
        let promise = loop.makePromise(of: AttachResult.self)
        // Re-check under the session lock: the old connection may have detached since the lookup above,
        // and a waiter added after its detach would never run.
        let current: (any SessionConnection)? = existing.lock.withLock {
            guard let current = existing.connection else { return nil }
            existing.takeoverWaiters.append { [self] in
                promise.succeed(self.finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                                  will: will, connection: connection))
            }
            return current
        }
        guard let current else {
            promise.succeed(finishAttach(identity: identity, cleanStart: cleanStart, expiryInterval: expiryInterval,
                                         will: will, connection: connection))
            return promise.futureResult
        }
        current.sessionTakenOver()
        return promise.futureResult
    }

    private func finishAttach(identity: ClientIdentity, cleanStart: Bool, expiryInterval: UInt32, will: WillMessage?,
                              connection: any SessionConnection) -> AttachResult {
        let expiry = min(expiryInterval, limits.maxSessionExpiry)
        var endedOld: Session?
        let (session, present): (Session, Bool) = sessions.withLockedValue { map in
            if let old = map[identity.clientID] {
                // A session with expiry 0 ended with its connection; a takeover only found it still
                // in the map because the new connection was waiting for it. It is not present.
                let survived = old.lock.withLock { old.connection != nil || (old.expiryInterval > 0 && !old.ended) }
                if cleanStart || !survived {
                    endedOld = old
                } else {
                    return (old, true)
                }
            }
            let s = Session(identity: identity)
            map[identity.clientID] = s
            return (s, false)
        }
        if let endedOld { endSession(endedOld, removeFromMap: false) }

        var result = AttachResult(session: session, sessionPresent: present, deliveryState: .init(), queued: [])
        let displaced: (any SessionConnection)? = session.lock.withLock {
            // Another waiter of the same takeover may have bound first; this later attach wins.
            let displaced = session.connection.flatMap { $0 === connection ? nil : $0 }
            session.identity = identity
            session.connection = connection
            session.expiryInterval = expiry
            session.will = will
            session.generation &+= 1
            session.pendingWill?.cancel()
            session.pendingWill = nil
            session.pendingWillMessage = nil
            session.pendingExpiry?.cancel()
            session.pendingExpiry = nil
            if present {
                result.deliveryState = session.deliveryState
                result.queued = Array(session.offlineQueue)
                session.offlineQueue.removeAll()
            }
            session.deliveryState = .init()
            return displaced
        }
        if let displaced {
            stats.clientsConnected.subtract(1, ordering: .relaxed)
            displaced.sessionTakenOver()
        }
        stats.clientConnected()
        persist(session)
        return result
    }

    /// The connection is gone. `publishWill` is false after a normal DISCONNECT.
    /// `expiryInterval` is the final value (MQTT 5 may change it in DISCONNECT).
    /// `undelivered` are messages the connection had queued but not sent; a persistent session keeps them.
    public func detach(session: Session, connection: any SessionConnection, deliveryState: SessionDeliveryState,
                       undelivered: [Delivery] = [], publishWill: Bool, expiryInterval: UInt32) {
        let (wasCurrent, will, waiters, generation): (Bool, WillMessage?, [@Sendable () -> Void], UInt64) = session.lock.withLock {
            guard session.connection === connection else { return (false, nil, [], 0) }
            session.connection = nil
            session.deliveryState = deliveryState
            session.expiryInterval = min(expiryInterval, limits.maxSessionExpiry)
            if session.expiryInterval > 0 {
                // Ahead of anything queued while offline, to keep publish order.
                var queue = session.offlineQueue
                queue.removeAll()
                for d in undelivered where d.qos != .atMostOnce { queue.append(d) }
                for d in session.offlineQueue { queue.append(d) }
                session.offlineQueue = queue
            }
            let will = publishWill ? session.will : nil
            session.will = nil
            let waiters = session.takeoverWaiters
            session.takeoverWaiters = []
            return (true, will, waiters, session.generation)
        }
        guard wasCurrent else { return }
        stats.clientsConnected.subtract(1, ordering: .relaxed)

        let expiry = session.lock.withLock { session.expiryInterval }
        if let will {
            let delay = min(will.delaySeconds, expiry)
            if delay == 0 {
                publish(will.message)
            } else if !waiters.isEmpty {
                // The waiting connection either resumes the session (no will) or ends it (will now).
                session.lock.withLock { session.pendingWillMessage = will.message }
            } else {
                scheduleWill(will, session: session, delay: delay, generation: generation)
            }
        }
        if !waiters.isEmpty {
            // A new connection is waiting for this session; it decides whether the session survives.
            for w in waiters { w() }
            return
        }
        if expiry == 0 {
            endSession(session, removeFromMap: true)
        } else {
            persist(session)
            scheduleExpiry(session, generation: generation)
        }
    }

    private func scheduleWill(_ will: WillMessage, session: Session, delay: UInt32, generation: UInt64) {
        let task = group.next().scheduleTask(in: .seconds(Int64(delay))) { [self] in
            let due: Bool = session.lock.withLock {
                guard session.generation == generation, session.connection == nil, session.pendingWillMessage != nil else { return false }
                session.pendingWill = nil
                session.pendingWillMessage = nil
                return true
            }
            if due { publish(will.message) }
        }
        session.lock.withLock {
            session.pendingWill = task
            session.pendingWillMessage = will.message
        }
    }

    private func scheduleExpiry(_ session: Session, generation: UInt64) {
        let expiry = session.lock.withLock { session.expiryInterval }
        guard expiry != 0, expiry != UInt32.max else { return }
        let task = group.next().scheduleTask(in: .seconds(Int64(expiry))) { [self] in
            let due: Bool = session.lock.withLock { session.generation == generation && session.connection == nil && !session.ended }
            if due { endSession(session, removeFromMap: true) }
        }
        session.lock.withLock { session.pendingExpiry = task }
    }

    /// Ends a session for good: its subscriptions go, and a will still waiting on a delay is published now.
    private func endSession(_ session: Session, removeFromMap: Bool) {
        let (filters, pendingWill): ([String], Message?) = session.lock.withLock {
            session.ended = true
            let filters = Array(session.subscriptions.keys)
            session.subscriptions = [:]
            session.offlineQueue.removeAll()
            let will = session.pendingWillMessage
            session.pendingWill?.cancel()
            session.pendingWill = nil
            session.pendingWillMessage = nil
            session.pendingExpiry?.cancel()
            session.pendingExpiry = nil
            return (filters, will)
        }
        routing.withLockedValue { r in
            for f in filters { Self.remove(filter: f, session: session, from: &r.tree) }
        }
        if removeFromMap {
            sessions.withLockedValue { map in
                if map[session.clientID] === session { map[session.clientID] = nil }
            }
        }
        storage.append(.sessionDeleted(clientID: session.clientID))
        if let pendingWill { publish(pendingWill) }
    }

    private func persist(_ session: Session) {
        let stored: StoredSession? = session.lock.withLock {
            guard session.expiryInterval > 0 else { return nil }
            return StoredSession(clientID: session.clientID, username: session.identity.username,
                                 expiryInterval: session.expiryInterval, subscriptions: session.subscriptions)
        }
        if let stored { storage.append(.sessionSaved(stored)) }
    }

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

    private static func insert(filter: String, options: SubscriptionOptions, session: Session, into tree: inout SubscriptionTree) {
        if let (group, inner) = Topic.parseShared(filter) {
            tree.insert(filter: inner, shareGroup: group, session: session, options: options)
        } else {
            tree.insert(filter: filter, shareGroup: nil, session: session, options: options)
        }
    }

    private static func remove(filter: String, session: Session, from tree: inout SubscriptionTree) {
        if let (group, inner) = Topic.parseShared(filter) {
            tree.remove(filter: inner, shareGroup: group, session: session)
        } else {
            tree.remove(filter: filter, shareGroup: nil, session: session)
        }
    }

    // MARK: - Publish

    /// Routes a message to every matching session and returns how many it reaches.
    /// A QoS 1/2 message is first written to storage with the persistent sessions it is queued for;
    /// subscribers get it only once that write commits, and `onCommit` (the publisher's acknowledgement)
    /// runs then too. So a message is never delivered, or acknowledged, unless it survives a crash.
    @discardableResult
    /// `event` is session progress that must become durable together with the message (an incoming
    /// QoS 2 packet id): both go into one storage append, so neither survives a crash without the other.
    public func publish(_ message: Message, recording event: (SessionEvent, Session)? = nil,
                        onCommit: (@Sendable () -> Void)? = nil) -> Int {
        // Bytes are counted by the front ends as they come off the socket, mosquitto's `bytes/received`.
        stats.messagesReceived.add(1, ordering: .relaxed)
        let now = BrokerClock.nowMillis()
        if message.isExpired(now: now) {
            if let (event, session) = event {
                record(event, for: session, onCommit: onCommit)
            } else {
                onCommit?()
            }
            return 0
        }
        var message = message
        let isSystem = message.topic.hasPrefix("$SYS/")
        var tapTargets: [QueuedTarget] = []
        var heldAcknowledgement = onCommit
        if !isSystem {
            for tap in taps.withLockedValue({ $0 }) {
                switch tap.decide(message) {
                case .skip:
                    continue
                case .take:
                    break
                case .takeAndHoldAcknowledgement(let register):
                    if let ack = heldAcknowledgement {
                        heldAcknowledgement = { register(ack) }
                    }
                }
                tapTargets.append(QueuedTarget(clientID: tap.targetID, qos: message.qos, retain: message.retain))
            }
        }
        if (message.qos != .atMostOnce || !tapTargets.isEmpty) && !isSystem {
            message.id = messageIDs.take()
        }
        let acknowledge = heldAcknowledgement

        let matched: SubscriptionTree.Match = routing.withLockedValue { r in
            if message.retain {
                r.retained.apply(message)
            }
            return r.tree.match(topic: message.topic)
        }
        var records: [StorageRecord] = []
        if let (event, session) = event, session.isPersistent {
            records.append(Self.storageRecord(event, clientID: session.clientID))
        }
        if message.retain && !isSystem {
            records.append(message.payload.readableBytes == 0 ? .retainedCleared(topic: message.topic) : .retainedSet(message))
        }

        var merged: [ObjectIdentifier: (Session, Delivery)] = [:]
        for entry in matched.entries {
            if entry.options.noLocal && message.origin == entry.session.clientID { continue }
            merge(entry, message: message, into: &merged)
        }
        if !matched.sharedGroups.isEmpty {
            let picks = routing.withLockedValue { _ in matched.sharedGroups.compactMap(Self.pick) }
            for entry in picks { merge(entry, message: message, into: &merged) }
        }
        var targets: [(Session, Delivery)] = []
        var queuedFor: [QueuedTarget] = tapTargets
        for (_, (session, delivery)) in merged {
            guard authorizer.canRead(session.currentIdentity, topic: message.topic) else { continue }
            targets.append((session, delivery))
            if message.id != nil && delivery.qos != .atMostOnce && session.isPersistent {
                queuedFor.append(QueuedTarget(clientID: session.clientID, qos: delivery.qos, retain: delivery.retain,
                                              subscriptionIdentifiers: delivery.subscriptionIdentifiers))
            }
        }
        // Virtual-topic queues and durable subscriptions get their copies in the publish's own log record.
        let copies = isSystem ? [] : queues.topicCopies(of: message)
        for c in copies where c.message.isPersistent { records.append(.queueEnqueued(queue: c.queue, message: c.message)) }
        if message.id != nil {
            records.append(.published(message, queuedFor: queuedFor))
        }
        let finish: @Sendable () -> Void = { [self, targets] in
            deliver(targets)
            if !copies.isEmpty { queues.deliverCopies(copies) }
            acknowledge?()
        }
        if records.isEmpty {
            finish()
        } else {
            storage.append(records, onCommit: CommitHop.toCallingLoop(finish))
        }
        return targets.count
    }

    /// Hands deliveries to connected sessions, one task per event loop, and queues the rest for offline persistent ones.
    private func deliver(_ targets: [(Session, Delivery)]) {
        var byLoop: [ObjectIdentifier: (any EventLoop, [(any SessionConnection, Delivery)])] = [:]
        var dropped: [StorageRecord] = []
        var warnings: [OfflineDropWarning] = []
        for (session, delivery) in targets {
            let connection: (any SessionConnection)? = session.lock.withLock {
                if let c = session.connection { return c }
                if delivery.qos != .atMostOnce && session.expiryInterval > 0 && !session.ended {
                    if !enqueue(delivery, in: session, warnings: &warnings), let id = delivery.message.id {
                        dropped.append(.completed(clientID: session.clientID, messageID: id))
                    }
                }
                return nil
            }
            if let connection {
                let key = ObjectIdentifier(connection.eventLoop)
                byLoop[key, default: (connection.eventLoop, [])].1.append((connection, delivery))
            }
        }
        if !dropped.isEmpty { storage.append(dropped, onCommit: nil) }
        log(warnings)
        for (_, (loop, batch)) in byLoop {
            if loop.inEventLoop {
                Self.dispatch(batch)
            } else {
                loop.execute { Self.dispatch(batch) }
            }
        }
    }

    private static func dispatch(_ batch: [(any SessionConnection, Delivery)]) {
        for (connection, delivery) in batch { connection.deliver([delivery]) }
    }

    struct OfflineDropWarning {
        var clientID: String
        var dropped: Int
        var queuedMessages: Int
        var queuedBytes: Int
    }

    /// At most one warning per session in this interval; the next one reports every drop since.
    static let offlineDropWarningIntervalMillis: Int64 = 10_000

    /// Caller holds `session.lock`. Returns false when the queue is full and the message was dropped;
    /// a warning that is due goes into `warnings`, to be logged once the lock is released.
    private func enqueue(_ delivery: Delivery, in session: Session, warnings: inout [OfflineDropWarning]) -> Bool {
        let queue = session.offlineQueue
        if queue.count >= limits.maxQueuedMessages || queue.bytes + OfflineQueue.size(of: delivery) > limits.maxQueuedBytes {
            stats.messagesDropped.add(1, ordering: .relaxed)
            stats.offlineMessagesDropped.add(1, ordering: .relaxed)
            session.offlineQueue.dropsSinceWarning += 1
            let now = BrokerClock.nowMillis()
            let last = queue.lastWarningMillis
            if last == 0 || now - last >= Self.offlineDropWarningIntervalMillis {
                warnings.append(OfflineDropWarning(clientID: session.clientID, dropped: session.offlineQueue.dropsSinceWarning,
                                                   queuedMessages: queue.count, queuedBytes: queue.bytes))
                session.offlineQueue.dropsSinceWarning = 0
                session.offlineQueue.lastWarningMillis = now
            }
            return false
        }
        session.offlineQueue.append(delivery)
        return true
    }

    private func log(_ warnings: [OfflineDropWarning]) {
        for w in warnings {
            logger.warning("offline queue full: messages for a disconnected persistent session dropped",
                           metadata: ["client": "\(w.clientID)", "dropped": "\(w.dropped)", "queued_messages": "\(w.queuedMessages)",
                                      "queued_bytes": "\(w.queuedBytes)", "max_queued_bytes": "\(limits.maxQueuedBytes)"])
        }
    }

    /// Gives back deliveries a closing connection could not send, so a persistent session keeps them.
    public func requeue(session: Session, _ deliveries: [Delivery]) {
        var dropped: [StorageRecord] = []
        var warnings: [OfflineDropWarning] = []
        session.lock.withLock {
            guard session.expiryInterval > 0, !session.ended else { return }
            for d in deliveries where d.qos != .atMostOnce {
                if !enqueue(d, in: session, warnings: &warnings), let id = d.message.id {
                    dropped.append(.completed(clientID: session.clientID, messageID: id))
                }
            }
        }
        if !dropped.isEmpty { storage.append(dropped, onCommit: nil) }
        log(warnings)
    }

    /// Runs `body` once everything appended to storage so far is durable.
    public func afterCommit(_ body: @escaping @Sendable () -> Void) {
        storage.append([], onCommit: body)
    }

    /// Durable progress of one session's message exchanges. Only persistent sessions write anything;
    /// `onCommit` runs once the record is durable (at once when nothing needs writing).
    public func record(_ event: SessionEvent, for session: Session, onCommit: (@Sendable () -> Void)? = nil) {
        guard session.isPersistent else {
            onCommit?()
            return
        }
        storage.append([Self.storageRecord(event, clientID: session.clientID)], onCommit: onCommit)
    }

    private static func storageRecord(_ event: SessionEvent, clientID id: String) -> StorageRecord {
        switch event {
        case .sent(let messageID, let packetID): return .sent(clientID: id, messageID: messageID, packetID: packetID)
        case .released(let packetID): return .released(clientID: id, packetID: packetID)
        case .completed(let messageID): return .completed(clientID: id, messageID: messageID)
        case .incomingReceived(let packetID): return .incomingReceived(clientID: id, packetID: packetID)
        case .incomingReleased(let packetID): return .incomingReleased(clientID: id, packetID: packetID)
        }
    }

    /// Messages go to the best of a session's matching subscriptions, with every subscription identifier.
    private func merge(_ entry: SubscriptionTree.Entry, message: Message, into targets: inout [ObjectIdentifier: (Session, Delivery)]) {
        let key = ObjectIdentifier(entry.session)
        let qos = min(message.qos, entry.options.qos)
        let retain = entry.options.retainAsPublished && message.retain
        if let (session, existing) = targets[key] {
            var delivery = existing
            delivery.qos = max(delivery.qos, qos)
            delivery.retain = delivery.retain || retain
            if let id = entry.options.subscriptionIdentifier { delivery.subscriptionIdentifiers.append(id) }
            targets[key] = (session, delivery)
        } else {
            var ids: [UInt32] = []
            if let id = entry.options.subscriptionIdentifier { ids.append(id) }
            targets[key] = (entry.session, Delivery(message: message, qos: qos, retain: retain, subscriptionIdentifiers: ids))
        }
    }

    /// Round robin over a share group, preferring connected members so a message isn't parked offline needlessly.
    private static func pick(_ group: SubscriptionTree.SharedGroup) -> SubscriptionTree.Entry? {
        let n = group.members.count
        guard n > 0 else { return nil }
        for i in 0..<n {
            let idx = (group.next + i) % n
            if group.members[idx].session.isConnected {
                group.next = (idx + 1) % n
                return group.members[idx]
            }
        }
        let entry = group.members[group.next % n]
        group.next = (group.next + 1) % n
        return entry
    }

    /// Broker-generated messages (`$SYS`): routed like any other but not counted as client traffic.
    public func publishSystem(_ message: Message) {
        publish(message)
        stats.messagesReceived.subtract(1, ordering: .relaxed)
    }

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
