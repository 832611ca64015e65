/// One admin API operation, with its path parameters decoded.
public enum AdminRoute: Sendable, Equatable {
    /// `GET /metrics`, for Prometheus.
    case metrics
    case broker
    case listeners
    case connections
    case closeConnection(id: UInt64)
    case sessions
    case queues
    case queue(name: String)
    case browseQueue(name: String, limit: Int)
    case purgeQueue(name: String)
    /// `to` is a queue name or `original` (each dead letter back where it came from).
    case moveMessages(from: String, to: String, limit: Int)
    case topics
    case retained
    case clearRetained(topic: String)
    case bridges
    case pauseBridge(name: String)
    case resumeBridge(name: String)
    /// Server-Sent Events: every log record the broker emits, from now on.
    case events
    /// Server-Sent Events: every message published to a topic matching `filter` (MQTT syntax), from now on.
    case tail(filter: String)

    /// Answered with a stream that stays open, not one response.
    public var isStream: Bool {
        switch self {
        case .events, .tail: return true
        default: return false
        }
    }
}
