/// What the peer did with a message we sent. Only `accepted` means the peer took responsibility;
/// the bridge retries on `released` and `modified` and dead-letters on `rejected`.
public enum AMQPDeliveryOutcome: Hashable, Sendable {
    case accepted
    case rejected(AMQPError?)
    case released
    case modified(deliveryFailed: Bool, undeliverableHere: Bool)

    /// A settled delivery without a terminal state is treated as released, so at-least-once
    /// callers retry rather than assume it arrived.
    init(state: AMQPDeliveryState?) {
        switch state {
        case .accepted?: self = .accepted
        case .rejected(let error)?: self = .rejected(error)
        case .modified(let failed, let undeliverable, _)?: self = .modified(deliveryFailed: failed, undeliverableHere: undeliverable)
        case .declared?: self = .accepted
        case .transactional(_, let outcome)?: self = AMQPDeliveryOutcome(state: outcome)
        case .released?, .received?, nil: self = .released
        }
    }
}
