import CoreMetrics
import Logging

/// How a `SegmentLog` is opened and how it writes.
public struct SegmentLogOptions: Sendable {
    public var fsync: FsyncPolicy = .always
    /// Where the writer makes its fsync-latency, batch-size and append series.
    public var metrics: any MetricsFactory = NOOPMetricsHandler.instance
    /// Roll to a new segment once the active one reaches this size.
    public var segmentMaxBytes: Int64 = 64 << 20
    /// Roll once the active segment's first batch is this old (checked on append), so that
    /// time-based retention can drop old data on a quiet log. nil: size only.
    public var segmentMaxAgeMilliseconds: Int64?
    public var indexIntervalBytes = SegmentIndex.defaultInterval
    /// Uncompressed bytes per batch; one group commit may write several batches.
    public var maxBatchBytes = 1 << 20
    public var maxRecordBytes = 16 << 20
    /// Truncate at mid-log corruption (dropping later data) instead of refusing to open.
    public var repair = false
    /// Report recovery progress every this many bytes scanned.
    public var progressIntervalBytes: Int64 = 64 << 20
    public var onRecoveryProgress: (@Sendable (RecoveryProgress) -> Void)?
    /// Wall-clock milliseconds, for batch timestamps and segment age; injectable for tests.
    public var clock: @Sendable () -> Int64 = { WallClock.milliseconds() }
    public var logger = Logger(label: "pier.store")
    /// How long a lazy append (one nobody waits for, such as a consumer's acknowledgement) may wait
    /// for a commit someone does wait for before it is committed on its own. It keeps those records
    /// from costing an fsync each, which would delay the commits producers wait on.
    public var lazyCommitDelayMilliseconds = 20
    /// Asked before every write; nil: always permitted (a directory nobody shares).
    public var fence: (any WriteFence)?

    /// Throws `.fenced` once the fence refuses.
    func checkFence() throws(StoreError) {
        if let fence, !fence.permitsWrite() { throw .fenced }
    }

    public init() {}

    func validate() throws(StoreError) {
        guard segmentMaxBytes > 0, segmentMaxBytes <= Int64(Int32.max) else {
            // Index positions are 32-bit.
            throw .invalidArgument("segmentMaxBytes must be in 1...\(Int32.max)")
        }
        guard maxBatchBytes > 0, maxBatchBytes <= RecordBatchHeader.maxUncompressedSize / 2 else {
            throw .invalidArgument("maxBatchBytes must be in 1...\(RecordBatchHeader.maxUncompressedSize / 2)")
        }
        guard maxRecordBytes > 0, maxRecordBytes <= RecordBatchHeader.maxUncompressedSize - 5 else {
            throw .invalidArgument("maxRecordBytes must be in 1...\(RecordBatchHeader.maxUncompressedSize - 5)")
        }
        if case .interval(let ms) = fsync, ms <= 0 { throw .invalidArgument("fsync interval must be positive") }
        guard lazyCommitDelayMilliseconds >= 0 else { throw .invalidArgument("lazyCommitDelayMilliseconds must not be negative") }
    }
}

/// Recovery progress, for logs large enough that open takes noticeable time.
public struct RecoveryProgress: Sendable {
    public var segment: String
    public var segmentIndex: Int
    public var segmentCount: Int
    public var bytesScanned: Int64
    public var totalBytes: Int64
}
