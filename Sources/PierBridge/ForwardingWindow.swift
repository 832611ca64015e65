import NIOCore

/// The bridge's window over the log, with no I/O: which read offsets are still in flight upstream,
/// how many transfers are unsettled, and how far the durable cursor may move. The cursor only ever
/// passes offsets whose every message upstream accepted (or the bridge finished with otherwise),
/// however the settlements arrive out of order.
struct ForwardingWindow {
    let size: Int
    private var outstanding = CircularBuffer<(offset: UInt64, done: Bool)>()
    /// Position of each outstanding offset, counted from the first offset tracked since the last reset.
    private var position: [UInt64: Int] = [:]
    /// How many entries have left the front of `outstanding`.
    private var base = 0
    private(set) var unsettled = 0

    init(size: Int) {
        self.size = max(1, size)
    }

    /// Another transfer may go out.
    var hasRoom: Bool { unsettled < size }

    /// Refill in batches rather than one transfer per settlement: with a full window, sending as each
    /// disposition arrives turns the link into a ping-pong of tiny writes on both ends.
    var wantsRefill: Bool { unsettled <= size - max(1, size / 4) }

    var outstandingCount: Int { outstanding.count }

    /// A log record was read; it stays outstanding until `finish`.
    mutating func track(_ offset: UInt64) {
        position[offset] = base + outstanding.count
        outstanding.append((offset, false))
    }

    mutating func transferSent() { unsettled += 1 }
    mutating func transferSettled() { unsettled = max(0, unsettled - 1) }

    /// Marks an offset done. Returns the highest offset the cursor may now acknowledge, when the done
    /// prefix grew.
    mutating func finish(_ offset: UInt64) -> UInt64? {
        guard let i = position.removeValue(forKey: offset) else { return nil }
        outstanding[outstanding.index(outstanding.startIndex, offsetBy: i - base)].done = true
        var advanced: UInt64?
        while let first = outstanding.first, first.done {
            advanced = first.offset
            outstanding.removeFirst()
            base += 1
        }
        return advanced
    }

    /// Reading restarts from the cursor: nothing read before counts any more.
    mutating func restart() {
        outstanding.removeAll()
        position = [:]
        base = 0
    }

    /// The connection is gone: its unsettled transfers will never settle.
    mutating func reset() {
        restart()
        unsettled = 0
    }
}
