/// Commands the runner sends down a bench connection's pipeline from outside its event loop.
enum BenchClientEvent: Sendable {
    /// Publish from `start` until `stop` (monotonic nanoseconds).
    case startPublishing(start: UInt64, stop: UInt64)
    /// Send DISCONNECT and close.
    case disconnect
}
