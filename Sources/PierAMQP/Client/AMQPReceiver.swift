import NIOCore

/// A receiving link. Unsettled deliveries are answered with one of the outcomes below.
public final class AMQPReceiver: Sendable {
    public let connection: AMQPConnection
    public let handle: UInt32
    public let address: String

    init(connection: AMQPConnection, handle: UInt32, address: String) {
        self.connection = connection
        self.handle = handle
        self.address = address
    }

    public func accept(_ delivery: AMQPIncomingDelivery) {
        connection.settle(deliveryID: delivery.deliveryID, state: .accepted)
    }

    public func reject(_ delivery: AMQPIncomingDelivery, error: AMQPError? = nil) {
        connection.settle(deliveryID: delivery.deliveryID, state: .rejected(error))
    }

    public func release(_ delivery: AMQPIncomingDelivery) {
        connection.settle(deliveryID: delivery.deliveryID, state: .released)
    }

    public func modify(_ delivery: AMQPIncomingDelivery, deliveryFailed: Bool = true, undeliverableHere: Bool = false) {
        connection.settle(deliveryID: delivery.deliveryID,
                          state: .modified(deliveryFailed: deliveryFailed, undeliverableHere: undeliverableHere, messageAnnotations: nil))
    }

    public func close() -> EventLoopFuture<Void> {
        connection.detach(handle: handle)
    }
}
