/// What a session tells its user. Link handles are ours (local), never the peer's.
public enum AMQPSessionEvent: Hashable, Sendable {
    case begun
    /// The session is over; `error` is the peer's reason if it ended it. Every link on it is gone,
    /// and `unsettled` are the tokens of sent messages whose outcome will never come.
    case ended(AMQPError?, unsettled: [UInt64])
    case linkAttached(handle: UInt32)
    /// The link is gone (refused, closed by the peer, or the answer to our detach).
    case linkDetached(handle: UInt32, error: AMQPError?, unsettled: [UInt64])
    /// The peer decided on a message we sent.
    case outcome(handle: UInt32, token: UInt64, AMQPDeliveryOutcome)
    case message(handle: UInt32, AMQPIncomingDelivery)
    /// Link credit arrived for a sender (useful for callers that want to pace themselves).
    case credit(handle: UInt32, UInt32)
}
