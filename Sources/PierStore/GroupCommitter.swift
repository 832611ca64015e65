#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore

/// Counters of what the writer has done, for benchmarks and metrics.
public struct CommitStats: Sendable, Equatable {
    /// Group commits: one wake-up of the writer, one write, at most one fsync.
    public var commits = 0
    public var batches = 0
    public var records = 0
    public var syncs = 0
    public var bytesWritten: Int64 = 0
}

/// The single writer behind `SegmentLog.append`. Appends from any thread go into a queue under
/// a mutex; the writer thread takes the whole queue at once, encodes it into as few batches as
/// `maxBatchBytes` allows, writes them with one `pwrite`, fsyncs once per the policy, and only
/// then runs the callbacks (outside the mutex). Under load the queue refills while an fsync is
/// in flight, so the next commit carries everything that arrived meanwhile: the fsync cost is
/// shared by all of it.
final class GroupCommitter: @unchecked Sendable {
    typealias Callback = @Sendable (Result<UInt64, StoreError>) -> Void

    enum Payload {
        case bytes([UInt8])
        case buffer(ByteBuffer)
        /// A barrier: sync everything before it, whatever the policy.
        case flush
    }

    struct Pending {
        var payload: Payload
        /// Int64.min: stamp with the writer's clock.
        var timestamp: Int64
        var callback: Callback?
        /// Nobody waits for this record: it rides in the next commit someone does wait for, or is
        /// committed on its own `lazyCommitDelayMilliseconds` after it was queued.
        var lazy = false
    }

    private let condition = Condition()
    // Guarded by `condition`.
    private var queue: [Pending] = []
    /// Queued items that are not lazy: any one of them starts a commit at once.
    private var urgentQueued = 0
    /// When the oldest lazy item still queued was queued (monotonic ns), if any.
    private var lazySince: UInt64?
    private var writerAsleep = false
    /// The writer sleeps until this deadline (monotonic ns); nil while it sleeps until signalled.
    private var writerDeadline: UInt64?
    private var closing = false
    private var failure: StoreError?

    // Writer thread only.
    private var spare: [Pending] = []
    private var encoder = RecordBatchEncoder()
    private var out = ByteBufferAllocator().buffer(capacity: 1 << 20)
    private var offsets: [UInt64] = []
    private var nextOffset: UInt64
    private var dirty = false
    private var lastSync: UInt64

    private let segments: SegmentSet
    private let options: SegmentLogOptions
    private let statsBox = NIOLockedValueBox(CommitStats())
    private let metrics: StoreMetrics
    private var thread: pthread_t?
    private let joined = NIOLockedValueBox(false)

    init(segments: SegmentSet, options: SegmentLogOptions) {
        self.segments = segments
        self.options = options
        self.metrics = StoreMetrics(factory: options.metrics)
        self.nextOffset = segments.active.writeNextOffset
        self.lastSync = WallClock.monotonicNanoseconds()
    }

    var stats: CommitStats { statsBox.withLockedValue { $0 } }

    private func sync(_ file: StoreFile) throws(StoreError) {
        let start = WallClock.monotonicNanoseconds()
        try file.sync()
        metrics.fsync.recordNanoseconds(Int64(WallClock.monotonicNanoseconds() - start))
    }

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let committer = Unmanaged<GroupCommitter>.fromOpaque(arg!).takeRetainedValue()
            committer.run()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        thread = tid
    }

    func enqueue(_ item: Pending) {
        condition.lock()
        if closing || failure != nil {
            let error = failure ?? .closed
            condition.unlock()
            item.callback?(.failure(error))
            return
        }
        queue.append(item)
        let wake = noteQueued(lazy: item.lazy, count: 1)
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Under the lock: counts what was queued and says whether the sleeping writer must be woken. A lazy
    /// item wakes it only when it sleeps with no deadline that would commit the item in time.
    private func noteQueued(lazy: Bool, count: Int) -> Bool {
        guard writerAsleep else {
            if lazy { lazySince = lazySince ?? WallClock.monotonicNanoseconds() } else { urgentQueued += count }
            return false
        }
        if lazy {
            let now = WallClock.monotonicNanoseconds()
            lazySince = lazySince ?? now
            if let deadline = writerDeadline, deadline <= now + lazyDelay { return false }
        } else {
            urgentQueued += count
        }
        writerAsleep = false
        return true
    }

    private var lazyDelay: UInt64 { UInt64(options.lazyCommitDelayMilliseconds) * 1_000_000 }

    /// Queues several items at once, so they are committed together and get consecutive offsets.
    func enqueue(contentsOf items: [Pending]) {
        condition.lock()
        if closing || failure != nil {
            let error = failure ?? .closed
            condition.unlock()
            for item in items { item.callback?(.failure(error)) }
            return
        }
        queue.append(contentsOf: items)
        let urgent = items.count { !$0.lazy }
        let wake = noteQueued(lazy: urgent == 0, count: urgent)
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Drains what is queued, syncs, and stops the writer thread. Idempotent.
    func close() {
        condition.lock()
        closing = true
        writerAsleep = false
        condition.unlock()
        condition.signal()
        let shouldJoin = joined.withLockedValue { done -> Bool in
            defer { done = true }
            return !done
        }
        if shouldJoin, let thread { pthread_join(thread, nil) }
    }

    private func run() {
        while true {
            condition.lock()
            while urgentQueued == 0 && !closing {
                // Only lazy items (or nothing) queued: sleep until the first lazy deadline, the sync
                // interval's deadline, or an urgent item.
                var deadline: UInt64?
                if let since = lazySince { deadline = since + lazyDelay }
                if dirty, case .interval(let ms) = options.fsync {
                    let syncAt = lastSync + UInt64(ms) * 1_000_000
                    deadline = min(deadline ?? syncAt, syncAt)
                }
                if let deadline, WallClock.monotonicNanoseconds() >= deadline { break }
                writerAsleep = true
                writerDeadline = deadline
                if let deadline { condition.wait(untilMonotonic: deadline) } else { condition.wait() }
                writerAsleep = false
                writerDeadline = nil
            }
            if queue.isEmpty && !closing {
                // Woken by the interval deadline with nothing new: sync what is written.
                condition.unlock()
                syncIdle()
                continue
            }
            if queue.isEmpty && closing {
                condition.unlock()
                syncIdle()
                return
            }
            swap(&queue, &spare)
            urgentQueued = 0
            lazySince = nil
            condition.unlock()
            commit(spare)
            spare.removeAll(keepingCapacity: true)
        }
    }

    private func syncIdle() {
        guard dirty else { return }
        do {
            try options.checkFence()
            try sync(segments.active.file)
            dirty = false
            lastSync = WallClock.monotonicNanoseconds()
            statsBox.withLockedValue { $0.syncs += 1 }
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: StoreError) {
        options.logger.error("segment log stopped: \(error)")
        condition.lock()
        if failure == nil { failure = .failed(error.description) }
        condition.unlock()
    }

    private func currentFailure() -> StoreError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    private func commit(_ items: [Pending]) {
        if let failure = currentFailure() {
            for item in items { item.callback?(.failure(failure)) }
            return
        }
        offsets.removeAll(keepingCapacity: true)
        var stats = CommitStats(commits: 1)
        var forceSync = false
        do {
            var segment = segments.active
            var writeStart = segment.writePosition
            var segmentBatches = 0
            var segmentRecords = 0
            var lastTimestamp: Int64?
            out.clear()
            let now = options.clock()
            var i = 0
            while i < items.count {
                let base = nextOffset
                var first = Int64.max
                var last = Int64.min
                gather: while i < items.count {
                    let item = items[i]
                    switch item.payload {
                    case .flush:
                        forceSync = true
                        offsets.append(0)
                        i += 1
                        continue gather
                    case .bytes(let bytes):
                        if encoder.recordCount > 0 && encoder.payloadSize + bytes.count + 5 > options.maxBatchBytes { break gather }
                        encoder.append(bytes)
                    case .buffer(let buffer):
                        if encoder.recordCount > 0 && encoder.payloadSize + buffer.readableBytes + 5 > options.maxBatchBytes {
                            break gather
                        }
                        encoder.append(buffer)
                    }
                    let ts = item.timestamp == Int64.min ? now : item.timestamp
                    first = min(first, ts)
                    last = max(last, ts)
                    offsets.append(nextOffset)
                    nextOffset += 1
                    i += 1
                }
                guard encoder.recordCount > 0 else { continue }

                let position = writeStart + Int64(out.readableBytes)
                if position > 0 && shouldRoll(segment, size: position, now: now) {
                    try writeOut(to: segment, at: &writeStart)
                    // Sealed segments are always synced, whatever the policy, so only the last
                    // segment can ever have a torn tail.
                    try sync(segment.file)
                    stats.syncs += 1
                    dirty = false
                    segment.publish(batches: segmentBatches, records: segmentRecords, lastTimestamp: lastTimestamp)
                    segment.indexFile = nil
                    try options.checkFence()
                    let next = try Segment.create(
                        directory: segment.directory, base: base, indexInterval: options.indexIntervalBytes)
                    next.writeNextOffset = base
                    segments.append(next)
                    segment = next
                    writeStart = 0
                    segmentBatches = 0
                    segmentRecords = 0
                }
                let batchPosition = writeStart + Int64(out.readableBytes)
                let header = encoder.finish(baseOffset: base, firstTimestamp: first, lastTimestamp: last, into: &out)
                segment.noteWrittenBatch(header, at: batchPosition)
                segmentBatches += 1
                segmentRecords += Int(header.recordCount)
                lastTimestamp = last
                stats.batches += 1
                stats.records += Int(header.recordCount)
                stats.bytesWritten += Int64(header.totalSize)
                if out.readableBytes >= 4 << 20 { try writeOut(to: segment, at: &writeStart) }
            }
            try writeOut(to: segment, at: &writeStart)
            if dirty && needsSync(force: forceSync) {
                try sync(segment.file)
                stats.syncs += 1
                dirty = false
                lastSync = WallClock.monotonicNanoseconds()
            }
            // The lease may have lapsed while the write or fsync was in flight: then the standby may already
            // be recovering without these records, so they must not be acknowledged.
            try options.checkFence()
            segment.publish(batches: segmentBatches, records: segmentRecords, lastTimestamp: lastTimestamp)
        } catch {
            // The file may now end in a partial batch and its durable contents are unknown, so
            // stop rather than append after a hole; reopening truncates the torn tail.
            fail(error)
            let failure = currentFailure() ?? .failed(error.description)
            for item in items { item.callback?(.failure(failure)) }
            return
        }
        let s = stats
        statsBox.withLockedValue {
            $0.commits += s.commits
            $0.batches += s.batches
            $0.records += s.records
            $0.syncs += s.syncs
            $0.bytesWritten += s.bytesWritten
        }
        metrics.commitRecords.record(s.records)
        metrics.appends.increment(by: s.records)
        metrics.writtenBytes.increment(by: Int(s.bytesWritten))
        let end = nextOffset
        for (i, item) in items.enumerated() {
            guard let callback = item.callback else { continue }
            if case .flush = item.payload {
                callback(.success(end))
            } else {
                callback(.success(offsets[i]))
            }
        }
    }

    private func needsSync(force: Bool) -> Bool {
        switch options.fsync {
        case .always: return true
        case .never: return force
        case .interval(let ms):
            return force || WallClock.monotonicNanoseconds() >= lastSync + UInt64(ms) * 1_000_000
        }
    }

    private func shouldRoll(_ segment: Segment, size: Int64, now: Int64) -> Bool {
        if size >= options.segmentMaxBytes { return true }
        if let maxAge = options.segmentMaxAgeMilliseconds, let first = segment.writeFirstTimestamp,
           now - first >= maxAge
        {
            return true
        }
        return false
    }

    private func writeOut(to segment: Segment, at position: inout Int64) throws(StoreError) {
        guard out.readableBytes > 0 else { return }
        try options.checkFence()
        let file = segment.file
        let at = position
        let r = out.withUnsafeReadableBytes { p in Result { () throws(StoreError) in try file.write(p, at: at) } }
        try r.get()
        position += Int64(out.readableBytes)
        segment.writePosition = position
        out.clear()
        dirty = true
    }
}
