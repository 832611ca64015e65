import NIOCore

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process on the host, so a `sub` process can
/// time messages stamped by a separate `pub` process.
enum BenchClock {
    @inline(__always)
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}
