import NIOCore
import PierCore

/// The core's Sendable handle on an OpenWire connection: topic deliveries (as a session connection),
/// queue deliveries (as a consumer connection) and advisories all land on the connection's event loop.
final class OpenWireDeliveryConnection: SessionConnection, QueueConsumerConnection {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<OpenWireChannelHandler>

    init(handler: OpenWireChannelHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    func deliver(_ deliveries: [Delivery]) {
        onLoop { $0.deliverTopic(deliveries) }
    }

    func deliver(_ deliveries: [QueueDelivery]) {
        onLoop { $0.deliverQueue(deliveries) }
    }

    /// Each OpenWire connection has its own core session: there is no takeover.
    func sessionTakenOver() {
        onLoop { $0.serverClose("Session taken over") }
    }

    func serverShuttingDown() {
        onLoop { $0.serverClose("Server shutting down") }
    }

    /// A temporary destination appeared or went (on any connection): tell this connection's advisory consumers.
    func advisory(_ info: OpenWireDestinationInfo) {
        onLoop { $0.sendAdvisory(info) }
    }

    private func onLoop(_ body: @escaping @Sendable (OpenWireChannelHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
