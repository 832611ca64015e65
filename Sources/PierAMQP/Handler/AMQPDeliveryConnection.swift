import NIOCore
import PierCore

/// The core's Sendable handle on an AMQP connection: topic deliveries (as a session connection) and
/// queue deliveries (as a consumer connection) both land on the connection's event loop.
final class AMQPDeliveryConnection: SessionConnection, QueueConsumerConnection {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<AMQPServerHandler>

    init(handler: AMQPServerHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    func deliver(_ deliveries: [Delivery]) {
        onLoop { $0.deliverTopic(deliveries) }
    }

    func deliver(_ deliveries: [QueueDelivery]) {
        onLoop { $0.deliverQueue(deliveries) }
    }

    /// Each AMQP connection has a core session of its own, so nothing takes it over.
    func sessionTakenOver() {
        onLoop { $0.serverClose(AMQPError(condition: AMQPError.connectionForced, description: "Session taken over")) }
    }

    func serverShuttingDown() {
        onLoop { $0.serverClose(AMQPError(condition: AMQPError.connectionForced, description: "Server shutting down")) }
    }

    private func onLoop(_ body: @escaping @Sendable (AMQPServerHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
