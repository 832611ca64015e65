/// What the admin API asks of queues: a summary of each, and moving messages between them (a dead
/// letter back to where it came from, once the cause is fixed).
extension QueueManager {
    /// One queue as the admin API lists it.
    public struct Summary: Sendable, Equatable {
        public var name: String
        /// Waiting, scheduled and unacknowledged messages.
        public var depth: Int
        public var inFlight: Int
        public var consumers: Int
    }

    /// Where `move` sends messages.
    public enum MoveTarget: Sendable, Equatable {
        case queue(String)
        /// Each dead letter to the queue its `originalDestination` property names; messages without
        /// one (or naming a topic) stay.
        case original
    }

    public func summaries() -> [Summary] {
        queues.withLockedValue { Array($0.values) }
            .filter { $0.temporaryOwner == nil }
            .map { q in
                q.lock.withLock { Summary(name: q.name, depth: q.messageCount, inFlight: q.inFlightCount, consumers: q.consumers.count) }
            }
            .sorted { $0.name < $1.name }
    }

    public func exists(_ name: String) -> Bool { queues.withLockedValue { $0[name] != nil } }

    /// The queue a dead letter came from, from its `originalDestination` (`queue://NAME`).
    public static func originalQueue(of message: Message) -> String? {
        guard let p = message.properties.first(where: { $0.name == originalDestinationProperty }),
              case .string(let value) = p.value, value.hasPrefix("queue://") else { return nil }
        let name = String(value.dropFirst("queue://".count))
        return name.isEmpty ? nil : name
    }

    /// Moves up to `limit` waiting messages of `source` (in-flight ones stay with their consumers) as new
    /// messages with fresh delivery counts and without the dead-letter properties. The removal and the
    /// copies are one log append, so a crash keeps either the old place or the new one. Returns how many moved.
    @discardableResult
    public func move(from source: String, to target: MoveTarget, limit: Int = .max) -> Int {
        guard let q = queues.withLockedValue({ $0[source] }), limit > 0 else { return 0 }
        // A temporary queue belongs to one connection and may be gone by the time the copies land.
        func destination(_ m: Message) -> String? {
            let name: String?
            switch target {
            case .queue(let n): name = n
            case .original: name = Self.originalQueue(of: m)
            }
            guard let name, name != source, !name.hasPrefix(Self.temporaryQueuePrefix) else { return nil }
            return name
        }
        let taken = q.lock.withLock { q.takeWaiting(limit: limit) { destination($0) != nil } }
        guard !taken.isEmpty else { return 0 }
        var copies: [(String, QueuedEntry)] = []
        var records: [StorageRecord] = []
        for e in taken {
            guard let to = destination(e.message) else { continue }
            var m = e.message
            m.id = nextID()
            m.destination = .queue(to)
            m.headers.redeliveryCount = 0
            m.properties.removeAll { $0.name == Self.originalDestinationProperty || $0.name == Self.deliveryFailureCauseProperty }
            copies.append((to, QueuedEntry(message: m)))
            if m.isPersistent { records.append(.queueEnqueued(queue: to, message: m)) }
        }
        if let removal = removalRecord(q, taken) { records.append(removal) }
        let place: @Sendable () -> Void = { [self, copies] in
            for (name, entries) in Dictionary(grouping: copies, by: \.0) {
                guard let dest = try? queue(name) else { continue }
                dest.counters.enqueued.increment(by: entries.count)
                enqueue(entries.map(\.1), into: dest)
            }
        }
        if records.isEmpty {
            place()
        } else {
            storage.append(records, onCommit: CommitHop.toCallingLoop(place))
        }
        roomFreed(q)
        return copies.count
    }
}
