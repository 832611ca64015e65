import NIOCore

/// The live network side of a session, whatever its protocol. The broker calls these from any thread;
/// implementations hop to `eventLoop` themselves when they are not on it.
public protocol SessionConnection: AnyObject, Sendable {
    var eventLoop: any EventLoop { get }
    /// Called on `eventLoop` with a batch of deliveries; the connection flushes once per batch.
    func deliver(_ deliveries: [Delivery])
    /// Another connection claimed the same client id; close with the protocol's takeover reason.
    func sessionTakenOver()
    /// The broker is stopping; close with the protocol's shutdown reason.
    func serverShuttingDown()
}
