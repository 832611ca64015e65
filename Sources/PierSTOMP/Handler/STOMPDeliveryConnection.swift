import NIOCore
import PierCore

/// The core's Sendable handle on a STOMP connection: topic deliveries (as a session connection) and
/// queue deliveries (as a consumer connection) both land on the connection's event loop.
final class STOMPDeliveryConnection: SessionConnection, QueueConsumerConnection {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<STOMPChannelHandler>

    init(handler: STOMPChannelHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    func deliver(_ deliveries: [Delivery]) {
        onLoop { $0.deliverTopic(deliveries) }
    }

    func deliver(_ deliveries: [QueueDelivery]) {
        onLoop { $0.deliverQueue(deliveries) }
    }

    /// STOMP has no client-id takeover: each connection has its own core session.
    func sessionTakenOver() {
        onLoop { $0.serverClose("Session taken over") }
    }

    func serverShuttingDown() {
        onLoop { $0.serverClose("Server shutting down") }
    }

    private func onLoop(_ body: @escaping @Sendable (STOMPChannelHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
