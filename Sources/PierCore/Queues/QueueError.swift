/// Why the core refused a queue operation; front ends turn it into their protocol's error.
public enum QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The queue is at its message or byte limit and its policy is to reject.
    case full(queue: String)
    /// A temporary destination whose connection has gone.
    case deletedTemporaryDestination(String)
    case notAuthorized(String)
    case unknownDeliveryTag(UInt64)
    case transactionClosed

    public var description: String {
        switch self {
        case .full(let q): return "queue \(q) is full"
        case .deletedTemporaryDestination(let d): return "temporary destination \(d) no longer exists"
        case .notAuthorized(let d): return "not authorized for \(d)"
        case .unknownDeliveryTag(let t): return "no unacknowledged message with tag \(t)"
        case .transactionClosed: return "transaction already ended"
        }
    }
}
