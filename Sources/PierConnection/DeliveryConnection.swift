import NIOCore
import PierCore

/// What a queue-and-topic protocol's handler takes from the core, always on its own event loop.
public protocol DeliveryTarget: AnyObject, SendableMetatype {
    func deliverTopic(_ deliveries: [Delivery])
    func deliverQueue(_ deliveries: [QueueDelivery])
    /// The broker ends the connection; the handler closes with the protocol's error frame and `reason`.
    func serverClose(_ reason: String)
}

/// The core's Sendable handle on a connection of a protocol without MQTT's client-id takeover (STOMP,
/// OpenWire, AMQP): topic deliveries as a session connection, queue deliveries as a consumer connection.
/// The core calls `deliver` on the connection's own loop, so deliveries go straight to the handler.
/// Each such connection has a core session of its own, so a takeover can only come from a bug or an id
/// clash, and it closes the connection like a shutdown does.
public final class DeliveryConnection<Target: DeliveryTarget>: SessionConnection, QueueConsumerConnection {
    public let handler: LoopBoundHandler<Target>
    public var eventLoop: any EventLoop { handler.eventLoop }

    public init(_ target: Target, eventLoop: any EventLoop) {
        self.handler = LoopBoundHandler(target, eventLoop: eventLoop)
    }

    public func deliver(_ deliveries: [Delivery]) {
        handler.value.deliverTopic(deliveries)
    }

    public func deliver(_ deliveries: [QueueDelivery]) {
        handler.value.deliverQueue(deliveries)
    }

    public func sessionTakenOver() {
        handler.run { $0.serverClose("Session taken over") }
    }

    public func serverShuttingDown() {
        handler.run { $0.serverClose("Server shutting down") }
    }
}
