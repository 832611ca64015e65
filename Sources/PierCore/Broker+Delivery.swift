import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Delivery: targets grouped per event loop, offline queues of persistent sessions, and the durable
/// progress front ends report.
extension Broker {
    /// Hands deliveries to connected sessions, one task per event loop, and queues the rest for offline persistent ones.
    func deliver(_ targets: [(Session, Delivery)]) {
        if targets.count == 1, let (session, delivery) = targets.first,
           let connection = session.lock.withLock({ session.connection }) {
            // One connected target, the p2p and fan-in case: no grouping table.
            Self.dispatch([(connection, delivery)], on: connection.eventLoop)
            return
        }
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
        for (_, (loop, batch)) in byLoop { Self.dispatch(batch, on: loop) }
    }

    /// Runs the batch on `loop`: at once when called there, else through the loop's inbox.
    static func dispatch(_ batch: [(any SessionConnection, Delivery)], on loop: any EventLoop) {
        if loop.inEventLoop {
            dispatch(batch)
        } else {
            LoopInbox.of(loop).post { dispatch(batch) }
        }
    }

    static func dispatch(_ batch: [(any SessionConnection, Delivery)]) {
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
    func enqueue(_ delivery: Delivery, in session: Session, warnings: inout [OfflineDropWarning]) -> Bool {
        let queue = session.offlineQueue
        if queue.count >= limits.maxQueuedMessages || queue.bytes + OfflineQueue.size(of: delivery) > limits.maxQueuedBytes {
            stats.messagesDropped.increment()
            stats.offlineMessagesDropped.increment()
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

    func log(_ warnings: [OfflineDropWarning]) {
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

    static func storageRecord(_ event: SessionEvent, clientID id: String) -> StorageRecord {
        switch event {
        case .sent(let messageID, let key): return .sent(clientID: id, messageID: messageID, key: key)
        case .advanced(let key): return .advanced(clientID: id, key: key)
        case .completed(let messageID): return .completed(clientID: id, messageID: messageID)
        case .incomingHeld(let key): return .incomingHeld(clientID: id, key: key)
        case .incomingDone(let key): return .incomingDone(clientID: id, key: key)
        }
    }
}
