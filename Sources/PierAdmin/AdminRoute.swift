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
}
