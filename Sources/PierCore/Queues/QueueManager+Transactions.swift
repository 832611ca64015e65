/// Commit and rollback. A commit is one log record holding every staged send and ack, so after a
/// crash the transaction is there whole or not at all.
extension QueueManager {
    /// Applies the staged work. `completion` runs once it is durable. Topic publishes staged in the
    /// transaction are handed to `publishTopic` after that.
    public func commit(_ transaction: QueueTransaction, publishTopic: @escaping @Sendable (Message) -> Void = { _ in },
                       completion: @escaping @Sendable (Result<Void, QueueError>) -> Void) {
        guard let staged = transaction.take() else {
            completion(.failure(.transactionClosed))
            return
        }
        var records: [StorageRecord] = []
        var sends: [(BrokerQueue, QueuedEntry)] = []
        for (name, message) in staged.sends {
            guard let q = try? queue(name) else { continue }
            sends.append((q, QueuedEntry(message: message)))
            if message.isPersistent && q.temporaryOwner == nil { records.append(.queueEnqueued(queue: name, message: message)) }
        }
        var settledByQueue: [String: (BrokerQueue, [QueuedEntry])] = [:]
        for (consumer, tag) in staged.acks {
            guard let q = queues.withLockedValue({ $0[consumer.queueName] }),
                  let e = q.lock.withLock({ q.settle(consumer, tag: tag) }) else { continue }
            settledByQueue[q.name, default: (q, [])].1.append(e)
        }
        for (_, (q, entries)) in settledByQueue.sorted(by: { $0.key < $1.key }) {
            if let record = removalRecord(q, entries) { records.append(record) }
        }
        let touched = settledByQueue.values.map { ($0.0, $0.1.count) }
        let finish: @Sendable () -> Void = { [self, sends, touched] in
            for (q, e) in sends {
                q.counters.enqueued.increment()
                enqueue([e], into: q)
            }
            for (q, acked) in touched {
                q.counters.dequeued.increment(by: acked)
                roomFreed(q)
                dispatch(q)
            }
            for m in staged.topicPublishes { publishTopic(m) }
            completion(.success(()))
        }
        if records.isEmpty {
            finish()
        } else {
            storage.append(records, onCommit: CommitHop.toCallingLoop(finish))
        }
    }

    /// Drops staged sends; messages received in the transaction become redeliverable, flagged redelivered.
    public func rollback(_ transaction: QueueTransaction) {
        guard let staged = transaction.take() else { return }
        var byQueue: [ObjectIdentifier: (BrokerQueue, [QueuedEntry])] = [:]
        for (consumer, tag) in staged.acks {
            guard let q = queues.withLockedValue({ $0[consumer.queueName] }),
                  let e = q.lock.withLock({ q.settle(consumer, tag: tag) }) else { continue }
            byQueue[ObjectIdentifier(q), default: (q, [])].1.append(e)
        }
        for (_, (q, entries)) in byQueue { returnToQueue(entries, q, reason: "transaction rolled back") }
    }

    /// Stages a topic publish in the transaction, published at commit.
    public func stagePublish(_ message: Message, in transaction: QueueTransaction) throws(QueueError) {
        try transaction.stage { $0.topicPublishes.append(message) }
    }
}
