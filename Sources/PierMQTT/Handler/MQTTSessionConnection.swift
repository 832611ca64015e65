import NIOCore
import PierConnection
import PierCore

/// The broker's Sendable handle on an MQTT connection; every call lands on the connection's event loop.
final class MQTTSessionConnection: SessionConnection {
    private let handler: LoopBoundHandler<MQTTChannelHandler>
    var eventLoop: any EventLoop { handler.eventLoop }

    init(handler: MQTTChannelHandler, eventLoop: any EventLoop) {
        self.handler = LoopBoundHandler(handler, eventLoop: eventLoop)
    }

    func deliver(_ deliveries: [Delivery]) {
        handler.value.deliverFromBroker(deliveries)
    }

    func sessionTakenOver() {
        handler.run { $0.takenOver() }
    }

    func serverShuttingDown() {
        handler.run { $0.shutdown() }
    }
}
