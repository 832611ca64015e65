import CoreMetrics

/// One queue's counters, labelled with its name. Temporary queues (one per JMS requester, named by a
/// sequence number) share the label `(temporary)`: a label value per reply queue would grow the
/// exposition without bound.
struct QueueCounters: Sendable {
    static let temporaryLabel = "(temporary)"

    let enqueued: Counter
    /// Acknowledged, auto-acknowledged or committed: gone from the queue by being consumed.
    let dequeued: Counter
    let deadLettered: Counter
    let expired: Counter
    /// Dropped by a full queue's drop-oldest policy, or a dead letter with nowhere left to go.
    let dropped: Counter
    /// Sends refused by a full queue's reject policy.
    let rejected: Counter
    private let shared: Bool

    init(queue: String, temporary: Bool, factory: any MetricsFactory) {
        let dimensions = [("queue", temporary ? Self.temporaryLabel : queue)]
        enqueued = Counter(label: "pier_queue_enqueued_total", dimensions: dimensions, factory: factory)
        dequeued = Counter(label: "pier_queue_dequeued_total", dimensions: dimensions, factory: factory)
        deadLettered = Counter(label: "pier_queue_dead_lettered_total", dimensions: dimensions, factory: factory)
        expired = Counter(label: "pier_queue_expired_total", dimensions: dimensions, factory: factory)
        dropped = Counter(label: "pier_queue_dropped_total", dimensions: dimensions, factory: factory)
        rejected = Counter(label: "pier_queue_rejected_total", dimensions: dimensions, factory: factory)
        shared = temporary
    }

    /// A deleted queue's series leave the exposition; the shared temporary ones stay.
    func destroy() {
        guard !shared else { return }
        for c in [enqueued, dequeued, deadLettered, expired, dropped, rejected] { c.destroy() }
    }
}
