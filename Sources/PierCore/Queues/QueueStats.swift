import Synchronization

/// Queue counters for `$SYS` and metrics; relaxed atomics, read from any thread.
public final class QueueStats: Sendable {
    public let enqueued = Atomic<Int>(0)
    public let acknowledged = Atomic<Int>(0)
    public let deadLettered = Atomic<Int>(0)
    public let expired = Atomic<Int>(0)
    /// Dropped by a full queue's drop-oldest policy.
    public let dropped = Atomic<Int>(0)
    public let rejectedFull = Atomic<Int>(0)

    public init() {}
}
