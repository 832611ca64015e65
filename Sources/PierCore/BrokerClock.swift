import NIOCore

/// Milliseconds on a monotonic clock; all deadlines in the core use it so tests can pass their own time.
public enum BrokerClock {
    public static func nowMillis() -> Int64 {
        NIODeadline.now().uptimeNanoseconds.toInt64Millis
    }
}

extension UInt64 {
    var toInt64Millis: Int64 { Int64(self / 1_000_000) }
}
