import Histogram

/// End-to-end latencies in nanoseconds, kept in an HdrHistogram (3 significant digits).
public struct LatencyRecorder: Sendable {
    /// Anything slower than this is clamped rather than dropped, so a stall still shows in `max`.
    public static let highestTrackableNanos: UInt64 = 600_000_000_000

    public private(set) var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: Self.highestTrackableNanos,
                              numberOfSignificantValueDigits: .three)
    }

    public var count: UInt64 { histogram.totalCount }

    public mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(min(max(nanoseconds, 1), Self.highestTrackableNanos))
    }

    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    public var summary: LatencySummary {
        guard count > 0 else { return LatencySummary() }
        func us(_ ns: UInt64) -> Double { (Double(ns) / 1000 * 10).rounded() / 10 }
        return LatencySummary(count: Int(count),
                              p50: us(histogram.valueAtPercentile(50)),
                              p99: us(histogram.valueAtPercentile(99)),
                              p999: us(histogram.valueAtPercentile(99.9)),
                              max: us(histogram.max),
                              mean: (histogram.mean / 1000 * 10).rounded() / 10)
    }
}
