/// Chooses which upstream address to use, with no I/O: ordered failover with exponential backoff and
/// jitter, and failback to the first address only after it has been reachable for a while, so a
/// flapping primary does not drag the bridge back and forth.
public struct UplinkSelector: Sendable {
    public enum Action: Equatable, Sendable {
        /// Connect to `addresses[index]` after `delayMillis`.
        case connect(index: Int, delayMillis: Int)
        /// Probe the first address (connect, open, close) after `delayMillis`.
        case probePrimary(delayMillis: Int)
        /// The primary is healthy long enough: drop the current connection and move back.
        case failBack
    }

    public let addressCount: Int
    public let initialDelayMillis: Int
    public let maxDelayMillis: Int
    public let jitter: Double
    public let failbackAfterMillis: Int64
    public let probeIntervalMillis: Int
    /// A connection must last this long before its loss stops counting toward the backoff: a peer that
    /// accepts the connection and then drops it (a link it refuses, say) must not be redialled in a tight loop.
    public let stableAfterMillis: Int64

    public private(set) var current = 0
    public private(set) var connected = false
    private var failuresInARow = 0
    private var primaryHealthySince: Int64?
    private var connectedAt: Int64?
    private var random: @Sendable () -> Double

    public init(addressCount: Int, initialDelayMillis: Int = 500, maxDelayMillis: Int = 30_000, jitter: Double = 0.2,
                failbackAfterMillis: Int64 = 60_000, probeIntervalMillis: Int = 5_000, stableAfterMillis: Int64 = 10_000,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        precondition(addressCount > 0)
        self.addressCount = addressCount
        self.initialDelayMillis = initialDelayMillis
        self.maxDelayMillis = maxDelayMillis
        self.jitter = jitter
        self.failbackAfterMillis = failbackAfterMillis
        self.probeIntervalMillis = probeIntervalMillis
        self.stableAfterMillis = stableAfterMillis
        self.random = random
    }

    public mutating func start() -> Action {
        current = 0
        return .connect(index: 0, delayMillis: 0)
    }

    public mutating func connectSucceeded(now: Int64) -> [Action] {
        connected = true
        connectedAt = now
        primaryHealthySince = nil
        return current == 0 ? [] : [.probePrimary(delayMillis: probeIntervalMillis)]
    }

    /// A connect attempt failed or an established connection was lost: try the next address at once,
    /// and back off (exponentially, with jitter) each time a whole round of addresses has failed. Only a
    /// connection that stayed up for `stableAfterMillis` clears the count of failures.
    public mutating func connectionFailed(now: Int64) -> Action {
        if let at = connectedAt, now - at >= stableAfterMillis { failuresInARow = 0 }
        connectedAt = nil
        connected = false
        failuresInARow += 1
        primaryHealthySince = nil
        current = (current + 1) % addressCount
        guard failuresInARow % addressCount == 0 else { return .connect(index: current, delayMillis: 0) }
        return .connect(index: current, delayMillis: backoff(rounds: failuresInARow / addressCount - 1))
    }

    public mutating func probeResult(healthy: Bool, now: Int64) -> Action? {
        guard connected, current != 0 else { return nil }
        guard healthy else {
            primaryHealthySince = nil
            return .probePrimary(delayMillis: probeIntervalMillis)
        }
        let since = primaryHealthySince ?? now
        primaryHealthySince = since
        if now - since >= failbackAfterMillis {
            primaryHealthySince = nil
            connected = false
            current = 0
            failuresInARow = 0
            connectedAt = nil
            return .failBack
        }
        return .probePrimary(delayMillis: probeIntervalMillis)
    }

    private func backoff(rounds: Int) -> Int {
        let base = min(maxDelayMillis, initialDelayMillis << min(rounds, 16))
        return base + Int(Double(base) * jitter * random())
    }
}
