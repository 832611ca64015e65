import PierCore

#if canImport(Glibc)
import Glibc
#endif

/// The two clocks message expiry is translated between; tests pass fixed ones.
public struct Clocks: Sendable {
    public var monotonic: @Sendable () -> Int64
    public var wall: @Sendable () -> Int64

    public init(monotonic: @escaping @Sendable () -> Int64, wall: @escaping @Sendable () -> Int64) {
        self.monotonic = monotonic
        self.wall = wall
    }

    public static let system = Clocks(monotonic: { BrokerClock.nowMillis() }, wall: {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    })
}
