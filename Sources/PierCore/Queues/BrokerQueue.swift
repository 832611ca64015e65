import CoreMetrics
import NIOConcurrencyHelpers

/// One queue's state: waiting messages in id (publish) order, scheduled ones, consumers with credit and
/// what each holds unacknowledged. Pure bookkeeping under one lock; `QueueManager` does the I/O
/// (storage, dead-lettering, handing batches to event loops) with what these methods return.
final class BrokerQueue: @unchecked Sendable {
    let name: String
    let policy: QueuePolicy
    /// The connection that owns a temporary queue; nil for ordinary queues.
    let temporaryOwner: ObjectIdentifier?
    let lock = NIOLock()
    let counters: QueueCounters

    // Everything below is guarded by `lock`.
    private var ready: [QueuedEntry] = []
    private var head = 0
    private var scheduled: [QueuedEntry] = []
    private var inFlight: [UInt64: (entry: QueuedEntry, consumer: QueueConsumer)] = [:]
    private(set) var consumers: [QueueConsumer] = []
    private var nextConsumer = 0
    private var groups: [String: UInt64] = [:]
    private(set) var bytes = 0
    /// Producers waiting for room (the block policy): `resume` retries the send, `fail` answers it with an
    /// error when the queue goes away instead.
    var blockedProducers: [(size: Int, resume: @Sendable () -> Void, fail: @Sendable (QueueError) -> Void)] = []
    /// When the armed schedule timer fires, so a second one is not armed for the same time.
    var timerDeadline: Int64?

    init(name: String, policy: QueuePolicy, temporaryOwner: ObjectIdentifier? = nil, metrics: any MetricsFactory) {
        self.counters = QueueCounters(queue: name, temporary: temporaryOwner != nil, factory: metrics)
        self.name = name
        self.policy = policy
        self.temporaryOwner = temporaryOwner
    }

    var readyCount: Int { ready.count - head }
    var messageCount: Int { readyCount + scheduled.count + inFlight.count }
    var inFlightCount: Int { inFlight.count }
    var scheduledCount: Int { scheduled.count }

    func hasRoom(for size: Int) -> Bool {
        messageCount < policy.maxMessages && bytes + size <= policy.maxBytes
    }

    // MARK: - Messages in

    /// Adds a message in id order (a requeued message goes back to its place), or to the schedule.
    func insert(_ entry: QueuedEntry, now: Int64) {
        bytes += entry.size
        if let at = entry.message.headers.deliverAt, at > now {
            let i = scheduled.firstIndex { ($0.message.headers.deliverAt ?? 0) > at } ?? scheduled.endIndex
            scheduled.insert(entry, at: i)
            return
        }
        insertReady(entry)
    }

    private func insertReady(_ entry: QueuedEntry) {
        if head == ready.count || ready[ready.count - 1].id < entry.id {
            ready.append(entry)
            return
        }
        var lo = head, hi = ready.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ready[mid].id < entry.id { lo = mid + 1 } else { hi = mid }
        }
        ready.insert(entry, at: lo)
    }

    /// Moves scheduled messages that are due into the FIFO; returns the next due time, if any remain.
    func promoteScheduled(now: Int64) -> Int64? {
        while let first = scheduled.first, (first.message.headers.deliverAt ?? 0) <= now {
            insertReady(scheduled.removeFirst())
        }
        return scheduled.first?.message.headers.deliverAt
    }

    var nextScheduled: Int64? { scheduled.first?.message.headers.deliverAt }

    /// Drops the oldest waiting message to make room (the drop-oldest policy).
    func dropOldest() -> QueuedEntry? {
        guard head < ready.count else { return nil }
        let e = ready[head]
        head += 1
        bytes -= e.size
        compact()
        return e
    }

    // MARK: - Consumers

    func add(_ consumer: QueueConsumer) {
        consumers.append(consumer)
    }

    /// Detaches a consumer; what it held comes back, marked as delivered once more.
    func remove(_ consumer: QueueConsumer, notDelivered: Set<UInt64> = []) -> [QueuedEntry] {
        consumer.closed = true
        consumers.removeAll { $0 === consumer }
        groups = groups.filter { $0.value != consumer.id }
        var back: [QueuedEntry] = []
        for tag in consumer.unacked {
            if var (e, _) = inFlight.removeValue(forKey: tag) {
                bytes -= e.size
                if notDelivered.contains(tag), e.deliveryCount > 0 { e.deliveryCount -= 1 }
                back.append(e)
            }
        }
        consumer.unacked = []
        return back
    }

    func grantCredit(_ consumer: QueueConsumer, _ n: Int) {
        consumer.credit = max(0, consumer.credit + n)
    }

    func setCredit(_ consumer: QueueConsumer, _ n: Int) {
        consumer.credit = max(0, n)
    }

    // MARK: - Dispatch

    struct DispatchRound {
        var deliveries: [(QueueConsumer, QueueDelivery)] = []
        var expired: [QueuedEntry] = []
        /// Persistent messages handed out, with their new delivery count (for the log).
        var delivered: [(id: UInt64, count: UInt32)] = []
    }

    /// Hands waiting messages to consumers with credit: round robin, FIFO, honouring exclusivity,
    /// selectors and message groups. A message no consumer can take now stays in its place.
    func dispatch(now: Int64) -> DispatchRound {
        var round = DispatchRound()
        guard !consumers.isEmpty, head < ready.count else { return round }
        let eligible: [QueueConsumer]
        if let exclusive = consumers.first(where: { $0.options.exclusive }) {
            eligible = [exclusive]
        } else {
            eligible = consumers
        }
        var kept: [QueuedEntry] = []
        var i = head
        while i < ready.count {
            if !eligible.contains(where: { $0.credit > 0 }) { break }
            var entry = ready[i]
            i += 1
            if entry.message.isExpired(now: now) {
                bytes -= entry.size
                round.expired.append(entry)
                continue
            }
            guard let consumer = pick(for: entry.message, among: eligible) else {
                kept.append(entry)
                continue
            }
            entry.message.headers.redeliveryCount = entry.deliveryCount
            entry.deliveryCount += 1
            consumer.credit -= 1
            if entry.message.isPersistent { round.delivered.append((entry.id, entry.deliveryCount)) }
            let delivery = QueueDelivery(message: entry.message, queue: name, tag: entry.id, consumer: consumer)
            if consumer.options.autoAck {
                bytes -= entry.size
                if consumer.options.creditReturnsOnAck { consumer.credit += 1 }
            } else {
                inFlight[entry.id] = (entry, consumer)
                consumer.unacked.append(entry.id)
            }
            round.deliveries.append((consumer, delivery))
        }
        // Messages passed over keep their order ahead of the ones not reached.
        ready.replaceSubrange(head..<i, with: kept)
        compact()
        return round
    }

    private func pick(for message: Message, among eligible: [QueueConsumer]) -> QueueConsumer? {
        if let group = message.headers.groupID {
            if let owner = groups[group], let c = eligible.first(where: { $0.id == owner }) {
                if message.headers.groupSequence == -1 { groups[group] = nil }
                return c.credit > 0 ? c : nil
            }
            guard let c = nextWithCredit(matching: message, among: eligible) else { return nil }
            if message.headers.groupSequence != -1 { groups[group] = c.id }
            return c
        }
        return nextWithCredit(matching: message, among: eligible)
    }

    private func nextWithCredit(matching message: Message, among eligible: [QueueConsumer]) -> QueueConsumer? {
        let n = eligible.count
        for k in 0..<n {
            let c = eligible[(nextConsumer + k) % n]
            guard c.credit > 0 else { continue }
            if let selector = c.options.selector, !selector.matches(message) { continue }
            nextConsumer = (nextConsumer + k + 1) % n
            return c
        }
        return nil
    }

    private func compact() {
        if head == ready.count {
            ready.removeAll(keepingCapacity: ready.count < 1024)
            head = 0
        } else if head >= 256 && head * 2 >= ready.count {
            ready.removeFirst(head)
            head = 0
        }
    }

    // MARK: - Settlement

    /// Takes a message out of flight for `consumer`; nil when the tag is not one it holds.
    func settle(_ consumer: QueueConsumer, tag: UInt64) -> QueuedEntry? {
        guard let (e, holder) = inFlight[tag], holder === consumer else { return nil }
        inFlight[tag] = nil
        if let i = consumer.unacked.firstIndex(of: tag) { consumer.unacked.remove(at: i) }
        bytes -= e.size
        if consumer.options.creditReturnsOnAck && !consumer.closed { consumer.credit += 1 }
        return e
    }

    /// The tags `consumer` holds up to and including `tag`, in delivery order (cumulative ack).
    func tags(_ consumer: QueueConsumer, through tag: UInt64) -> [UInt64] {
        guard let end = consumer.unacked.firstIndex(of: tag) else { return [] }
        return Array(consumer.unacked[...end])
    }

    // MARK: - Browse and purge

    /// Waiting and in-flight messages in queue order, without consuming them.
    func snapshot(now: Int64) -> [Message] {
        var all: [QueuedEntry] = Array(ready[head...])
        for (e, _) in inFlight.values { all.append(e) }
        all.sort { $0.id < $1.id }
        return all.filter { !$0.message.isExpired(now: now) }.map { e in
            var m = e.message
            m.headers.redeliveryCount = e.deliveryCount
            return m
        }
    }

    /// Removes every waiting and scheduled message (in-flight ones are left to their consumers).
    func purge() -> [QueuedEntry] {
        let removed = Array(ready[head...]) + scheduled
        ready = []
        head = 0
        scheduled = []
        for e in removed { bytes -= e.size }
        groups = [:]
        return removed
    }

    /// Takes up to `limit` waiting messages that `take` accepts, oldest first (the admin API's move);
    /// the others keep their place.
    func takeWaiting(limit: Int, where take: (Message) -> Bool) -> [QueuedEntry] {
        var taken: [QueuedEntry] = []
        var keep: [QueuedEntry] = []
        for e in ready[head...] {
            if taken.count < limit && take(e.message) {
                taken.append(e)
                bytes -= e.size
            } else {
                keep.append(e)
            }
        }
        if !taken.isEmpty {
            ready = keep
            head = 0
        }
        return taken
    }

    /// Waiting messages that have expired, removed (the periodic sweep; dispatch catches the rest).
    func removeExpired(now: Int64) -> [QueuedEntry] {
        var gone: [QueuedEntry] = []
        var keep: [QueuedEntry] = []
        for e in ready[head...] {
            if e.message.isExpired(now: now) {
                gone.append(e)
                bytes -= e.size
            } else {
                keep.append(e)
            }
        }
        if !gone.isEmpty {
            ready = keep
            head = 0
        }
        return gone
    }
}
