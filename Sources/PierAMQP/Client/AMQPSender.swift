import NIOCore

/// A sending link. Messages are sent unsettled; each future completes with the peer's outcome.
public final class AMQPSender: Sendable {
    public let connection: AMQPConnection
    public let handle: UInt32
    public let address: String

    init(connection: AMQPConnection, handle: UInt32, address: String) {
        self.connection = connection
        self.handle = handle
        self.address = address
    }

    /// Completes when the peer settles the delivery: accepted, rejected(error), released or modified.
    /// Fails if the link or connection goes away first (the outcome is then unknown: resend).
    public func send(_ message: AMQPMessage) -> EventLoopFuture<AMQPDeliveryOutcome> {
        // Encoded on the caller's thread, so the event loop only frames bytes.
        connection.send(handle: handle, payload: message.encoded)
    }

    public func close() -> EventLoopFuture<Void> {
        connection.detach(handle: handle)
    }
}
