import PierCore

/// One publish/subscribe scenario: who publishes, who subscribes, on which topics, how fast and how long.
///
/// Topologies: with `pairs > 0`, publisher i and subscriber i share their own topic (point to point);
/// otherwise every publisher publishes to one topic and every subscriber subscribes to it, which covers
/// fan-in (N → 1), fan-out (1 → N) and many-to-many.
public struct PubSubConfig: Sendable, Equatable {
    public var publishers: Int
    public var subscribers: Int
    public var pairs: Int
    public var qos: QoS
    /// Payload bytes; the first 16 carry the send timestamp and a sequence number.
    public var size: Int
    /// Messages per second per publisher; nil publishes as fast as the broker takes them.
    public var rate: Double?
    public var duration: Double
    /// QoS 1/2 messages a publisher keeps unacknowledged (capped by the broker's Receive Maximum).
    public var inflight: Int
    /// Deliveries (sent × fan-out − received) allowed in flight when publishers and subscribers run in
    /// one process; without it a fan-out at full speed only fills the broker's queues.
    public var backlog: Int
    public var topicPrefix: String
    /// Seconds to wait for stragglers after the publishers stop.
    public var drain: Double

    public static let minimumSize = 16

    public init(publishers: Int = 1, subscribers: Int = 1, pairs: Int = 0, qos: QoS = .atMostOnce, size: Int = 64,
                rate: Double? = nil, duration: Double = 10, inflight: Int = 100, backlog: Int = 20_000,
                topicPrefix: String = "pier-bench", drain: Double = 3) {
        self.publishers = publishers
        self.subscribers = subscribers
        self.pairs = pairs
        self.qos = qos
        self.size = size
        self.rate = rate
        self.duration = duration
        self.inflight = inflight
        self.backlog = backlog
        self.topicPrefix = topicPrefix
        self.drain = drain
    }

    public var publisherCount: Int { pairs > 0 ? pairs : publishers }
    public var subscriberCount: Int { pairs > 0 ? pairs : subscribers }

    /// Copies of each published message the subscribers should receive.
    public var fanOut: Int { pairs > 0 ? 1 : subscribers }

    public var topology: String {
        if pairs > 0 { return "p2p \(pairs) pairs" }
        if publishers > 1 && subscribers == 1 { return "fan-in \(publishers)→1" }
        if publishers == 1 && subscribers > 1 { return "fan-out 1→\(subscribers)" }
        return "\(publishers)→\(subscribers)"
    }

    public func topic(forPublisher index: Int) -> String {
        pairs > 0 ? "\(topicPrefix)/p/\(index)" : "\(topicPrefix)/all"
    }

    public func filter(forSubscriber index: Int) -> String {
        pairs > 0 ? "\(topicPrefix)/p/\(index)" : "\(topicPrefix)/all"
    }

    /// - Parameters:
    ///   - needPublishers/needSubscribers: which sides this command runs (`pub`, `sub` or `pubsub`).
    public func validate(needPublishers: Bool = true, needSubscribers: Bool = true) throws(BenchConfigError) {
        if pairs < 0 { throw BenchConfigError("--pairs must not be negative") }
        if pairs > 0 {
            if publishers != 1 || subscribers != 1 {
                throw BenchConfigError("--pairs cannot be combined with --publishers or --subscribers")
            }
        } else {
            if needPublishers && publishers < 1 { throw BenchConfigError("--publishers must be at least 1") }
            if needSubscribers && subscribers < 1 { throw BenchConfigError("--subscribers must be at least 1") }
        }
        if size < Self.minimumSize || size > 268_435_000 {
            throw BenchConfigError("--size must be \(Self.minimumSize)…268435000 bytes (the first 16 hold timestamp and sequence), got \(size)")
        }
        if let rate, !(rate > 0) || !rate.isFinite {
            throw BenchConfigError("--rate must be a positive number of messages per second, or 'max'")
        }
        if !(duration > 0) || !duration.isFinite { throw BenchConfigError("--duration must be positive") }
        if !(1...65535).contains(inflight) { throw BenchConfigError("--inflight must be 1…65535, got \(inflight)") }
        if backlog < 1 { throw BenchConfigError("--backlog must be at least 1") }
        if drain < 0 { throw BenchConfigError("--drain must not be negative") }
        if topicPrefix.isEmpty || topicPrefix.contains(where: { $0 == "+" || $0 == "#" }) {
            throw BenchConfigError("--topic-prefix must be non-empty and hold no wildcard")
        }
    }

    /// Parses a `--rate` value: a number, or `max`/`0` for as fast as possible.
    public static func parseRate(_ text: String) -> Double?? {
        let t = text.lowercased()
        if t == "max" || t == "0" { return .some(nil) }
        guard let v = Double(t), v > 0, v.isFinite else { return nil }
        return .some(v)
    }
}
