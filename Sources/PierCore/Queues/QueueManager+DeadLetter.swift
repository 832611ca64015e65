/// Dead letters and expiry: a message that cannot be delivered moves to its queue's dead-letter
/// queue with where it came from and why, in one log record with its removal.
extension QueueManager {
    /// ActiveMQ's property names, so tools written for ActiveMQ read them.
    public static let originalDestinationProperty = "originalDestination"
    public static let deliveryFailureCauseProperty = "dlqDeliveryFailureCause"

    func deadLetter(_ entries: [QueuedEntry], from q: BrokerQueue, reason: String) {
        guard !entries.isEmpty else { return }
        let dlqName = q.policy.deadLetterQueue
        if dlqName == q.name || q.temporaryOwner != nil {
            // A dead letter that fails again, or one from a temporary queue, has nowhere left to go.
            q.counters.dropped.increment(by: entries.count)
            logger.warning("dead letter dropped", metadata: ["queue": "\(q.name)", "count": "\(entries.count)", "reason": "\(reason)"])
            removeFromStorage(q, entries)
            return
        }
        guard let dlq = try? queue(dlqName) else { return }
        var copies: [QueuedEntry] = []
        var records: [StorageRecord] = []
        for e in entries {
            var m = e.message
            m.id = nextID()
            m.destination = .queue(dlqName)
            m.expiresAt = nil
            m.headers.redeliveryCount = e.deliveryCount
            m.properties.removeAll { $0.name == Self.originalDestinationProperty || $0.name == Self.deliveryFailureCauseProperty }
            m.properties.append(MessageProperty(Self.originalDestinationProperty, .string("queue://\(q.name)")))
            m.properties.append(MessageProperty(Self.deliveryFailureCauseProperty, .string(reason)))
            copies.append(QueuedEntry(message: m))
            if m.isPersistent { records.append(.queueEnqueued(queue: dlqName, message: m)) }
        }
        q.counters.deadLettered.increment(by: entries.count)
        logger.info("dead-lettered", metadata: ["queue": "\(q.name)", "dlq": "\(dlqName)", "count": "\(entries.count)", "reason": "\(reason)"])
        if let removal = removalRecord(q, entries) { records.append(removal) }
        dlq.counters.enqueued.increment(by: copies.count)
        if records.isEmpty {
            enqueue(copies, into: dlq)
        } else {
            storage.append(records, onCommit: CommitHop.toCallingLoop { [self, copies] in enqueue(copies, into: dlq) })
        }
    }

    func expire(_ entries: [QueuedEntry], from q: BrokerQueue) {
        q.counters.expired.increment(by: entries.count)
        switch q.policy.expiry {
        case .drop:
            removeFromStorage(q, entries)
        case .deadLetter:
            deadLetter(entries, from: q, reason: "expired")
        }
        roomFreed(q)
    }

    /// Removes expired waiting messages from every queue; dispatch catches the ones it reaches first.
    public func sweepExpired() {
        let now = clock()
        for q in queues.withLockedValue({ Array($0.values) }) {
            let gone = q.lock.withLock { q.removeExpired(now: now) }
            if !gone.isEmpty { expire(gone, from: q) }
        }
    }
}

extension QueueManager {
    /// Sweeps expired messages once a second on one event loop, for queues nobody is consuming.
    public func startHousekeeping() {
        group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
            self?.sweepExpired()
        }
    }
}
