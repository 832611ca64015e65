/// A consumer's durable position in the log (the bridge's store-and-forward cursor). Read from
/// `reader()`, and acknowledge what the far side accepted; after a restart the cursor resumes
/// after the last acknowledgement, and retention keeps every record it has not acknowledged.
public final class LogCursor: Sendable {
    public let name: String
    private let log: SegmentLog

    init(name: String, log: SegmentLog) {
        self.name = name
        self.log = log
    }

    /// The first offset not yet acknowledged.
    public var nextOffset: UInt64 { log.cursorStore.nextOffset(of: name) ?? log.startOffset }

    /// The highest acknowledged offset, or nil if nothing has been.
    public var acknowledged: UInt64? {
        let next = nextOffset
        return next == 0 ? nil : next - 1
    }

    /// A reader from the first unacknowledged record.
    public func reader() throws(StoreError) -> LogReader {
        try log.reader(from: max(nextOffset, log.startOffset))
    }

    /// Persists that every record up to and including `offset` is done with. Acknowledging an
    /// offset at or below an earlier acknowledgement changes nothing.
    public func acknowledge(upTo offset: UInt64) throws(StoreError) {
        let end = log.endOffset
        guard offset < end else {
            throw .invalidArgument("cannot acknowledge offset \(offset): the log ends at \(end)")
        }
        try log.options.checkFence()
        try log.cursorStore.store(name, nextOffset: offset + 1)
    }
}
