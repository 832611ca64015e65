import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierCore
import PierStore

/// `BrokerStorage` on the segment log: every record is appended through group commit, folded into a
/// `DurableState` in the same order, and checkpoints of that fold bound recovery and let old segments go.
public final class LogStorage: BrokerStorage {
    public struct Options: Sendable {
        public var log = SegmentLogOptions()
        /// Records between checkpoints; a checkpoint also runs at clean shutdown.
        public var checkpointEveryRecords = 100_000
        public var clocks = Clocks.system

        public init() {}
    }

    public let log: SegmentLog
    private let options: Options
    private let logger: Logger
    private let state = NIOLockedValueBox(Tracking())
    private let checkpointer = NIOThreadPool(numberOfThreads: 1)
    private let commitWaiters = NIOLockedValueBox<[@Sendable () -> Void]>([])

    private struct Tracking {
        var fold = DurableState()
        /// Offset the next appended record will get; the log hands them out in append order.
        var nextOffset: UInt64 = 0
        var sinceCheckpoint = 0
        var checkpointRunning = false
    }

    public init(directory: String, options: Options = Options(), logger: Logger = Logger(label: "pier.storage")) throws {
        self.options = options
        self.logger = logger
        self.log = try SegmentLog(directory: directory, options: options.log)
        for t in log.recoveryReport.truncations {
            logger.warning("log recovery truncated", metadata: ["segment": "\(t.segment)", "position": "\(t.position)",
                                                              "bytesDropped": "\(t.bytesDropped)", "reason": "\(t.reason)"])
        }
        checkpointer.start()
    }

    /// Loads the latest checkpoint and replays the log after it.
    public func load() throws -> StoredState {
        let started = WallClock.monotonicNanoseconds()
        var fold = DurableState()
        var from = log.startOffset
        if let checkpoint = try log.loadLatestCheckpoint() {
            var bytes = ByteBuffer(bytes: checkpoint.snapshot)
            while bytes.readableBytes > 0 {
                guard let length = bytes.readInteger(as: UInt32.self), var slice = bytes.readSlice(length: Int(length)) else {
                    throw StorageRecordCodec.DecodeError(reason: "checkpoint \(checkpoint.upToOffset) truncated")
                }
                if let r = try StorageRecordCodec.decode(&slice, clock: options.clocks) { fold.apply(r) }
            }
            from = max(from, checkpoint.upToOffset)
            logger.info("checkpoint loaded", metadata: ["offset": "\(checkpoint.upToOffset)", "sessions": "\(fold.sessionCount)"])
        }
        let reader = try log.reader(from: from)
        var replayed = 0
        while let record = try reader.next() {
            var bytes = record.payload
            for r in try StorageRecordCodec.decodeAll(&bytes, clock: options.clocks) { fold.apply(r) }
            replayed += 1
            if replayed % 1_000_000 == 0 { logger.info("replaying log", metadata: ["records": "\(replayed)"]) }
        }
        logger.info("state recovered", metadata: ["replayed": "\(replayed)", "sessions": "\(fold.sessionCount)",
                                                  "ms": "\((WallClock.monotonicNanoseconds() - started) / 1_000_000)",
                                                  "messages": "\(fold.messageCount)", "retained": "\(fold.retainedCount)"])
        let end = log.endOffset
        state.withLockedValue { t in
            t.fold = fold
            t.nextOffset = end
        }
        return fold.storedState
    }

    public func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?) {
        append(records, lazy: false, onCommit: onCommit)
    }

    public func appendLazily(_ records: [StorageRecord]) {
        append(records, lazy: true, onCommit: nil)
    }

    private func append(_ records: [StorageRecord], lazy: Bool, onCommit: (@Sendable () -> Void)?) {
        let checkpointDue: Bool = state.withLockedValue { t in
            // Fold and enqueue under one lock, so the fold sees records in exactly the log's order.
            // One call is one log record, so its records commit together or not at all.
            for r in records { t.fold.apply(r) }
            log.append(StorageRecordCodec.encode(records, clock: options.clocks), lazy: lazy, onCommit: completion(onCommit))
            t.nextOffset += 1
            t.sinceCheckpoint += max(records.count, 1)
            guard t.sinceCheckpoint >= options.checkpointEveryRecords, !t.checkpointRunning else { return false }
            t.checkpointRunning = true
            t.sinceCheckpoint = 0
            return true
        }
        if checkpointDue {
            checkpointer.submit { [self] _ in
                do { try checkpoint() } catch { logger.error("checkpoint failed", metadata: ["error": "\(error)"]) }
                state.withLockedValue { $0.checkpointRunning = false }
            }
        }
    }

    private func completion(_ onCommit: (@Sendable () -> Void)?) -> @Sendable (Result<UInt64, StoreError>) -> Void {
        { [logger, commitWaiters] result in
            switch result {
            case .success:
                onCommit?()
                let waiters: [@Sendable () -> Void] = commitWaiters.withLockedValue { w in
                    defer { w = [] }
                    return w
                }
                for w in waiters { w() }
            case .failure(let error):
                // Not acknowledging is the safe failure: the client resends what it never saw acknowledged.
                logger.error("log append failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs `body` once, after the next append commits (on the writer thread): readers that caught up
    /// with the log (a bridge) wait on this instead of polling.
    public func notifyOnNextCommit(_ body: @escaping @Sendable () -> Void) {
        commitWaiters.withLockedValue { $0.append(body) }
    }

    /// Writes the fold as a checkpoint once everything it covers is durable, then drops segments nothing needs.
    public func checkpoint() throws {
        let (snapshot, offset) = state.withLockedValue { ($0.fold, $0.nextOffset) }
        try log.flush()
        guard log.endOffset >= offset else {
            // An append failed (the log stops on I/O errors), so offsets no longer match the fold.
            logger.error("checkpoint skipped: log is behind the broker state",
                         metadata: ["logEnd": "\(log.endOffset)", "expected": "\(offset)"])
            return
        }
        var buffer = ByteBuffer()
        for r in snapshot.snapshotRecords {
            let body = StorageRecordCodec.encode(r, clock: options.clocks)
            buffer.writeInteger(UInt32(body.readableBytes))
            var b = body
            buffer.writeBuffer(&b)
        }
        try log.writeCheckpoint(Array(buffer.readableBytesView), upToOffset: offset)
        let deleted = try log.deleteSegments(below: log.retentionFloor)
        logger.debug("checkpoint written", metadata: ["offset": "\(offset)", "bytes": "\(buffer.readableBytes)",
                                                     "segmentsDeleted": "\(deleted.count)"])
    }

    /// Checkpoints and closes the log: the next start replays nothing.
    public func close() {
        do { try checkpoint() } catch { logger.error("final checkpoint failed", metadata: ["error": "\(error)"]) }
        log.close()
        try? checkpointer.syncShutdownGracefully()
    }
}
