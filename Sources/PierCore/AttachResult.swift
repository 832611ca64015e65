/// What a connection gets back when it takes over its session.
public struct AttachResult: Sendable {
    public var session: Session
    public var sessionPresent: Bool
    /// Unacknowledged state to resume (empty for a new session).
    public var deliveryState: SessionDeliveryState
    /// Messages queued while the session was offline, oldest first.
    public var queued: [Delivery]
}
