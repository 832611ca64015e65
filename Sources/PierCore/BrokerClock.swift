import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Milliseconds on a monotonic clock; all deadlines in the core use it so tests can pass their own time.
public enum BrokerClock {
    public static func nowMillis() -> Int64 {
        NIODeadline.now().uptimeNanoseconds.toInt64Millis
    }

    /// Milliseconds since the Unix epoch, for what protocols carry as wall time (JMSTimestamp, STOMP `expires`).
    public static func wallMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

extension UInt64 {
    var toInt64Millis: Int64 { Int64(self / 1_000_000) }
}
