import NIOCore

/// What the server state machine asks its handler to do. Verbs that need the broker (`authenticate`,
/// `attachIncoming`, `attachOutgoing`, `message`) are answered by calling the machine back.
public enum AMQPServerAction: Sendable, Equatable {
    case sendHeader(AMQPProtocolHeader)
    case sendFrame(AMQPFrame)
    /// The SASL outcome went out: the next bytes are the AMQP protocol header.
    case expectHeader
    /// Check the credentials (nil username: anonymous), then call `authenticated(_:)`.
    case authenticate(username: String?, password: [UInt8]?)
    /// The peer's open arrived and ours went out.
    case opened(containerID: String)
    /// The peer attached a sender: resolve its target, then call `acceptIncoming` or `refuseLink`.
    case attachIncoming(AMQPLinkKey, AMQPAttach)
    /// The peer attached a receiver: resolve its source, then call `acceptOutgoing` or `refuseLink`.
    case attachOutgoing(AMQPLinkKey, AMQPAttach)
    /// A receiver's usable credit changed (messages it may still be given beyond those already held).
    case credit(AMQPLinkKey, Int)
    /// A whole message from a peer sender; an unsettled one is answered with `settleIncoming`.
    /// `transaction`: the txn-id its transactional-state named.
    case message(AMQPLinkKey, deliveryID: UInt32, settled: Bool, transaction: ByteBuffer?, payload: ByteBuffer)
    /// The peer's outcome for one of our deliveries (nil state: settled without one).
    case outcome(AMQPLinkKey, token: UInt64, AMQPDeliveryState?)
    /// A link is gone: its deliveries still held (`unsettled` tokens) go back to the core.
    case detached(AMQPLinkKey, closed: Bool, unsettled: [UInt64])
    /// Flush, then close the socket.
    case close
}
