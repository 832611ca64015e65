import NIOConcurrencyHelpers
import NIOCore

/// An append-only log of LZ4-compressed record batches in segment files, with group commit,
/// crash recovery, checkpoints and durable cursors. All methods are thread-safe.
///
///     let log = try SegmentLog(directory: "/var/lib/pier/log")
///     log.append(bytes) { result in /* on the writer thread: hop to your event loop */ }
///     let reader = try log.reader(from: 0)
///     while let record = try reader.next() { ... }
///     log.close()
public final class SegmentLog: Sendable {
    public let directory: String
    public let options: SegmentLogOptions
    /// What opening the log found and fixed.
    public let recoveryReport: RecoveryReport
    public let checkpoints: CheckpointStore
    let cursorStore: CursorStore
    private let segments: SegmentSet
    private let committer: GroupCommitter
    /// Serialises retention against cursor creation, so a new cursor never starts in a segment
    /// that is being deleted.
    private let retentionLock = NIOLock()

    /// Opens (creating if needed) the log in `directory` and recovers it.
    /// Throws `StoreError.corruption` for damage other than a torn tail, unless `options.repair`.
    public init(directory: String, options: SegmentLogOptions = SegmentLogOptions()) throws(StoreError) {
        try options.validate()
        self.directory = directory
        self.options = options
        let (recovered, report) = try LogRecovery.recover(directory: directory, options: options)
        self.recoveryReport = report
        self.segments = SegmentSet(recovered)
        self.checkpoints = try CheckpointStore(directory: directory, logger: options.logger)
        self.cursorStore = try CursorStore(directory: directory, logger: options.logger)
        self.committer = GroupCommitter(segments: segments, options: options)
        committer.start()
    }

    deinit { committer.close() }

    /// The lowest offset still stored.
    public var startOffset: UInt64 { segments.startOffset }
    /// One past the last committed record: the offset the next committed record will get.
    public var endOffset: UInt64 { segments.endOffset }
    public var commitStats: CommitStats { committer.stats }

    // MARK: Appending

    /// Queues `record`. `onCommit` runs exactly once, on the log's writer thread, after the
    /// record's batch is committed per the fsync policy, with the record's offset. Keep it short
    /// (hop to an event loop); it may call `append` but must not call `appendAndWait`, `flush` or `close`.
    /// When the log is closed or failed, or the record is too large, `onCommit` runs at once,
    /// inside this call, with the error.
    public func append(
        _ record: [UInt8], timestamp: Int64? = nil,
        onCommit: @escaping @Sendable (Result<UInt64, StoreError>) -> Void
    ) {
        guard record.count <= options.maxRecordBytes else {
            onCommit(.failure(.recordTooLarge(size: record.count, limit: options.maxRecordBytes)))
            return
        }
        committer.enqueue(.init(payload: .bytes(record), timestamp: timestamp ?? .min, callback: onCommit))
    }

    /// With `lazy`, the record does not start a commit of its own: it goes out with the next commit
    /// that is not lazy, or after `lazyCommitDelayMilliseconds`, and `onCommit` runs then.
    public func append(
        _ record: ByteBuffer, timestamp: Int64? = nil, lazy: Bool = false,
        onCommit: @escaping @Sendable (Result<UInt64, StoreError>) -> Void
    ) {
        guard record.readableBytes <= options.maxRecordBytes else {
            onCommit(.failure(.recordTooLarge(size: record.readableBytes, limit: options.maxRecordBytes)))
            return
        }
        committer.enqueue(.init(payload: .buffer(record), timestamp: timestamp ?? .min, callback: onCommit, lazy: lazy))
    }

    /// Queues `records` together: they get consecutive offsets, normally in one batch, and
    /// `onCommit` runs once with their offset range (empty input: an empty range at once).
    /// This is the cheap path for everything one event-loop read cycle produced.
    public func append(
        contentsOf records: [ByteBuffer],
        onCommit: @escaping @Sendable (Result<Range<UInt64>, StoreError>) -> Void
    ) {
        guard !records.isEmpty else { return onCommit(.success(endOffset..<endOffset)) }
        if let big = records.first(where: { $0.readableBytes > options.maxRecordBytes }) {
            return onCommit(.failure(.recordTooLarge(size: big.readableBytes, limit: options.maxRecordBytes)))
        }
        let count = UInt64(records.count)
        var items = records.map { GroupCommitter.Pending(payload: .buffer($0), timestamp: .min, callback: nil) }
        // Offsets are consecutive, so the last record's offset gives the range; a failure fails
        // the whole group together.
        items[items.count - 1].callback = { result in
            onCommit(result.map { last in (last + 1 - count)..<(last + 1) })
        }
        committer.enqueue(contentsOf: items)
    }

    /// Appends and blocks until committed; for tools and tests, never on an event loop.
    @discardableResult
    public func appendAndWait(_ record: [UInt8], timestamp: Int64? = nil) throws(StoreError) -> UInt64 {
        let done = Completion<UInt64>()
        append(record, timestamp: timestamp) { done.complete($0) }
        return try done.wait()
    }

    /// Appends several records in order (normally one batch) and blocks until all are committed.
    @discardableResult
    public func appendAndWait(contentsOf records: [[UInt8]]) throws(StoreError) -> [UInt64] {
        let done = Completion<Range<UInt64>>()
        append(contentsOf: records.map { ByteBuffer(bytes: $0) }) { done.complete($0) }
        return Array(try done.wait())
    }

    /// Blocks until everything appended before the call is written and fsynced, whatever the policy.
    public func flush() throws(StoreError) {
        let done = Completion<UInt64>()
        committer.enqueue(.init(payload: .flush, timestamp: .min) { done.complete($0) })
        _ = try done.wait()
    }

    /// Commits what is queued, syncs, and stops the writer. Later appends fail with `.closed`.
    public func close() {
        committer.close()
    }

    // MARK: Reading

    /// A reader positioned at `offset`, which must lie in `startOffset...endOffset`.
    public func reader(from offset: UInt64) throws(StoreError) -> LogReader {
        try LogReader(segments: segments, from: offset)
    }

    /// Up to `maxRecords` committed records from `offset`.
    public func read(from offset: UInt64, maxRecords: Int = .max) throws(StoreError) -> [LogRecord] {
        try reader(from: offset).next(max: maxRecords)
    }

    public func segmentInfos() -> [SegmentInfo] {
        segments.all.map { s in
            let c = s.committed
            return SegmentInfo(
                fileName: s.name, baseOffset: s.baseOffset, nextOffset: c.nextOffset, sizeBytes: c.size,
                batches: c.batches, records: c.records, firstTimestamp: c.firstTimestamp, lastTimestamp: c.lastTimestamp)
        }
    }

    // MARK: Retention

    /// The lowest offset something still needs: the oldest kept checkpoint's replay point and
    /// every cursor's first unacknowledged offset. With no checkpoint at all, the whole log is
    /// needed to rebuild state, so the floor is the start of the log.
    public var retentionFloor: UInt64 {
        retentionLock.withLock { floorLocked() }
    }

    private func floorLocked() -> UInt64 {
        var floor = checkpoints.retentionOffset ?? startOffset
        for (_, next) in cursorStore.all { floor = min(floor, next) }
        return floor
    }

    /// Deletes the segments whose records all lie below both `offset` and `retentionFloor`
    /// (never the active segment). Returns what was deleted.
    @discardableResult
    public func deleteSegments(below offset: UInt64) throws(StoreError) -> [SegmentInfo] {
        retentionLock.lock()
        defer { retentionLock.unlock() }
        do {
            try options.checkFence()
            let limit = min(offset, floorLocked())
            let removed = segments.removeWhollyBelow(limit)
            var infos: [SegmentInfo] = []
            for s in removed {
                let c = s.committed
                infos.append(SegmentInfo(
                    fileName: s.name, baseOffset: s.baseOffset, nextOffset: c.nextOffset, sizeBytes: c.size,
                    batches: c.batches, records: c.records, firstTimestamp: c.firstTimestamp, lastTimestamp: c.lastTimestamp))
                // Readers still holding the segment keep their descriptor; the data goes when they do.
                try FileSystem.remove(s.logPath)
                try FileSystem.remove(s.indexPath)
            }
            if !removed.isEmpty {
                try FileSystem.syncDirectory(directory)
                options.logger.info("retention deleted \(removed.count) segment(s) below offset \(limit)")
            }
            return infos
        }
    }

    // MARK: Cursors and checkpoints

    /// The named durable cursor, created at the start of the log if it does not exist.
    public func cursor(named name: String) throws(StoreError) -> LogCursor {
        guard !name.isEmpty, name.utf8.count <= 200 else {
            throw .invalidArgument("cursor names must be 1...200 bytes")
        }
        retentionLock.lock()
        defer { retentionLock.unlock() }
        if cursorStore.nextOffset(of: name) == nil {
            try options.checkFence()
            try cursorStore.store(name, nextOffset: startOffset)
        }
        return LogCursor(name: name, log: self)
    }

    /// Every cursor's first unacknowledged offset.
    public var cursorPositions: [String: UInt64] { cursorStore.all }

    public func removeCursor(named name: String) throws(StoreError) {
        try options.checkFence()
        try cursorStore.remove(name)
    }

    /// Writes a checkpoint covering every record below `upToOffset` (see `CheckpointStore`).
    public func writeCheckpoint(_ snapshot: [UInt8], upToOffset: UInt64) throws(StoreError) {
        let end = endOffset
        guard upToOffset <= end else {
            throw .invalidArgument("checkpoint offset \(upToOffset) is beyond the end of the log (\(end))")
        }
        try options.checkFence()
        try checkpoints.write(snapshot, upToOffset: upToOffset)
    }

    /// The newest intact checkpoint, or nil (replay from `startOffset`).
    public func loadLatestCheckpoint() throws(StoreError) -> Checkpoint? {
        try checkpoints.loadLatest()
    }
}
