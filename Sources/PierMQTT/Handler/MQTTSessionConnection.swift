import NIOCore
import PierCore

/// The broker's Sendable handle on an MQTT connection; every call lands on the connection's event loop.
final class MQTTSessionConnection: SessionConnection {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<MQTTChannelHandler>

    init(handler: MQTTChannelHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    func deliver(_ deliveries: [Delivery]) {
        handler.value.deliverFromBroker(deliveries)
    }

    func sessionTakenOver() {
        onLoop { $0.takenOver() }
    }

    func serverShuttingDown() {
        onLoop { $0.shutdown() }
    }

    private func onLoop(_ body: @escaping @Sendable (MQTTChannelHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
