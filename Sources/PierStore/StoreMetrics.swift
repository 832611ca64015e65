import CoreMetrics

/// The log writer's series. All of them are written by the single writer thread, once per commit or
/// fsync, never per record.
struct StoreMetrics: Sendable {
    static let fsyncLabel = "pier_store_fsync_duration_seconds"
    static let commitRecordsLabel = "pier_store_commit_records"

    let fsync: Timer
    /// Records per group commit: how much one write and one fsync are shared by.
    let commitRecords: Recorder
    let appends: Counter
    let writtenBytes: Counter

    init(factory: any MetricsFactory) {
        fsync = Timer(label: Self.fsyncLabel, factory: factory)
        commitRecords = Recorder(label: Self.commitRecordsLabel, factory: factory)
        appends = Counter(label: "pier_store_appended_records_total", factory: factory)
        writtenBytes = Counter(label: "pier_store_written_bytes_total", factory: factory)
    }
}

/// Histogram ranges for the store's series: fsync is sub-millisecond on flash and tens of milliseconds
/// on an SD card, below the Prometheus factory's default 5 ms floor.
public enum StoreMetricBuckets {
    public static let durations: [String: [Duration]] = [
        StoreMetrics.fsyncLabel: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                  .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                  .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)],
    ]
    public static let values: [String: [Double]] = [
        StoreMetrics.commitRecordsLabel: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
    ]
}
