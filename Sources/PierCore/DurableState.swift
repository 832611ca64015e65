/// The fold of `StorageRecord`s into the state they describe. Replaying a log through it rebuilds
/// the broker's durable state; a checkpoint is a snapshot of it.
public struct DurableState: Sendable {
    struct Entry: Sendable {
        var messageID: UInt64
        var target: QueuedTarget
        var key: DeliveryKey?
        var advanced = false
    }

    struct SessionState: Sendable {
        var meta: StoredSession
        var queue: [UInt64: Entry] = [:]
        var incoming: Set<DeliveryKey> = []
    }

    struct StoredMessage: Sendable {
        var message: Message
        var references: Int
    }

    struct QueuedMessage: Sendable {
        var message: Message
        var deliveries: UInt32 = 0
    }

    var queues: [String: [UInt64: QueuedMessage]] = [:]
    /// By queue name.
    var durableSubscriptions: [String: DurableSubscription] = [:]
    var retained: [String: Message] = [:]
    var sessions: [String: SessionState] = [:]
    var messages: [UInt64: StoredMessage] = [:]
    public private(set) var lastMessageID: UInt64 = 0

    public init() {}

    public var sessionCount: Int { sessions.count }
    public var messageCount: Int { messages.count }
    public var retainedCount: Int { retained.count }
    public var queuedMessageCount: Int { queues.values.reduce(0) { $0 + $1.count } }

    public mutating func apply(_ record: StorageRecord) {
        switch record {
        case .retainedSet(let m):
            retained[m.topic] = m
        case .retainedCleared(let topic):
            retained[topic] = nil
        case .sessionSaved(let meta):
            if sessions[meta.clientID] == nil {
                sessions[meta.clientID] = SessionState(meta: meta)
            } else {
                sessions[meta.clientID]!.meta = meta
            }
        case .sessionDeleted(let clientID):
            if let s = sessions.removeValue(forKey: clientID) {
                for id in s.queue.keys { release(messageID: id) }
            }
        case .published(let message, let targets):
            guard let id = message.id else { return }
            lastMessageID = max(lastMessageID, id)
            var refs = 0
            for t in targets where sessions[t.clientID] != nil {
                sessions[t.clientID]!.queue[id] = Entry(messageID: id, target: t)
                refs += 1
            }
            if refs > 0 { messages[id] = StoredMessage(message: message, references: refs) }
        case .sent(let clientID, let messageID, let key):
            sessions[clientID]?.queue[messageID]?.key = key
        case .advanced(let clientID, let key):
            guard let s = sessions[clientID], let id = s.queue.values.first(where: { $0.key == key })?.messageID else { return }
            sessions[clientID]!.queue[id]!.advanced = true
        case .completed(let clientID, let messageID):
            if sessions[clientID]?.queue.removeValue(forKey: messageID) != nil {
                release(messageID: messageID)
            }
        case .incomingHeld(let clientID, let key):
            sessions[clientID]?.incoming.insert(key)
        case .incomingDone(let clientID, let key):
            sessions[clientID]?.incoming.remove(key)
        case .messageIDHighWater(let id):
            lastMessageID = max(lastMessageID, id)
        case .queueEnqueued(let queue, let message):
            guard let id = message.id else { return }
            lastMessageID = max(lastMessageID, id)
            queues[queue, default: [:]][id] = QueuedMessage(message: message)
        case .queueRemoved(let queue, let ids):
            guard queues[queue] != nil else { return }
            for id in ids { queues[queue]![id] = nil }
            if queues[queue]!.isEmpty { queues[queue] = nil }
        case .queueDelivered(let queue, let id, let count):
            queues[queue]?[id]?.deliveries = count
        case .durableSubscriptionSaved(let s):
            durableSubscriptions[s.queueName] = s
        case .durableSubscriptionDeleted(let clientID, let name):
            let key = DurableSubscription(clientID: clientID, name: name, filter: "").queueName
            durableSubscriptions[key] = nil
            queues[key] = nil
        }
    }

    private mutating func release(messageID: UInt64) {
        guard var m = messages[messageID] else { return }
        m.references -= 1
        messages[messageID] = m.references > 0 ? m : nil
    }

    public var storedState: StoredState {
        var out = StoredState()
        out.lastMessageID = lastMessageID
        out.retained = retained.values.sorted { $0.topic < $1.topic }
        out.sessions = sessions.values.sorted { $0.meta.clientID < $1.meta.clientID }.map { s in
            var meta = s.meta
            // Message ids grow in publish order, so sorting restores the queue order.
            meta.queued = s.queue.values.sorted { $0.messageID < $1.messageID }.compactMap { e in
                guard let m = messages[e.messageID]?.message else { return nil }
                let d = Delivery(message: m, qos: e.target.qos, retain: e.target.retain,
                                 subscriptionIdentifiers: e.target.subscriptionIdentifiers)
                return StoredDelivery(delivery: d, key: e.key, advanced: e.advanced)
            }
            meta.incomingKeys = s.incoming
            return meta
        }
        for (name, entries) in queues {
            out.queues[name] = entries.values.sorted { ($0.message.id ?? 0) < ($1.message.id ?? 0) }
                .map { StoredQueueMessage(message: $0.message, deliveryCount: $0.deliveries) }
        }
        out.durableSubscriptions = durableSubscriptions.values.sorted { $0.queueName < $1.queueName }
        return out
    }

    /// The records that rebuild this state from nothing: what a checkpoint holds.
    public var snapshotRecords: [StorageRecord] {
        var out: [StorageRecord] = [.messageIDHighWater(lastMessageID)]
        for m in retained.values.sorted(by: { $0.topic < $1.topic }) { out.append(.retainedSet(m)) }
        var targets: [UInt64: [QueuedTarget]] = [:]
        var progress: [StorageRecord] = []
        for (clientID, s) in sessions.sorted(by: { $0.key < $1.key }) {
            out.append(.sessionSaved(s.meta))
            for e in s.queue.values.sorted(by: { $0.messageID < $1.messageID }) {
                targets[e.messageID, default: []].append(e.target)
                if let key = e.key {
                    progress.append(.sent(clientID: clientID, messageID: e.messageID, key: key))
                    if e.advanced { progress.append(.advanced(clientID: clientID, key: key)) }
                }
            }
            for key in s.incoming.sorted() { progress.append(.incomingHeld(clientID: clientID, key: key)) }
        }
        for (id, t) in targets.sorted(by: { $0.key < $1.key }) {
            if let m = messages[id]?.message { out.append(.published(m, queuedFor: t)) }
        }
        for s in durableSubscriptions.values.sorted(by: { $0.queueName < $1.queueName }) {
            out.append(.durableSubscriptionSaved(s))
        }
        for (name, entries) in queues.sorted(by: { $0.key < $1.key }) {
            for e in entries.values.sorted(by: { ($0.message.id ?? 0) < ($1.message.id ?? 0) }) {
                out.append(.queueEnqueued(queue: name, message: e.message))
                if e.deliveries > 0, let id = e.message.id {
                    progress.append(.queueDelivered(queue: name, messageID: id, deliveryCount: e.deliveries))
                }
            }
        }
        return out + progress
    }
}
