import NIOCore

/// Counters of all bench connections on one event loop. Only that loop touches it, so the message path
/// needs no lock or atomic; the runner reads it by submitting a task to the loop.
final class LoopStats {
    var counters = LoopCounters()
    var latency = LatencyRecorder()
    /// Receipts not yet reported to the cross-loop flow control.
    var unreportedReceived = 0
    /// Monotonic nanoseconds after which receipts no longer count towards the rate.
    var windowEnd: UInt64 = .max

    func note(error: String) {
        if counters.errors.count < 20 && !counters.errors.contains(error) { counters.errors.append(error) }
    }
}

/// A copy of `LoopStats`' counters that may leave the loop, and sums over loops.
struct LoopCounters: Sendable {
    var sent = 0
    var sentBytes = 0
    var acknowledged = 0
    var received = 0
    var receivedBytes = 0
    var receivedInWindow = 0
    var receivedInWindowBytes = 0
    var duplicates = 0
    var closedUnexpectedly = 0
    var errors: [String] = []

    static func + (a: LoopCounters, b: LoopCounters) -> LoopCounters {
        LoopCounters(sent: a.sent + b.sent, sentBytes: a.sentBytes + b.sentBytes,
                     acknowledged: a.acknowledged + b.acknowledged, received: a.received + b.received,
                     receivedBytes: a.receivedBytes + b.receivedBytes,
                     receivedInWindow: a.receivedInWindow + b.receivedInWindow,
                     receivedInWindowBytes: a.receivedInWindowBytes + b.receivedInWindowBytes,
                     duplicates: a.duplicates + b.duplicates, closedUnexpectedly: a.closedUnexpectedly + b.closedUnexpectedly,
                     errors: a.errors + b.errors.filter { !a.errors.contains($0) })
    }
}
