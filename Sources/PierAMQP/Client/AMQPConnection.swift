import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// An AMQP 1.0 client connection with one session, the shape the bridge needs: open senders and
/// receivers on it, send messages and learn each one's outcome, close. Thread-safe: every call
/// hops to the connection's event loop.
public final class AMQPConnection: Sendable {
    public let eventLoop: any EventLoop
    public let configuration: AMQPConnectionConfiguration
    private let channel: any Channel
    private let handler: NIOLoopBound<AMQPClientHandler>
    private let linkCounter = NIOLockedValueBox<UInt64>(0)
    /// Completes when the connection is over, with the reason (nil for a clean local close).
    public let closeFuture: EventLoopFuture<AMQPConnectionError?>

    private init(channel: any Channel, handler: AMQPClientHandler, configuration: AMQPConnectionConfiguration,
                 closeFuture: EventLoopFuture<AMQPConnectionError?>) {
        self.eventLoop = channel.eventLoop
        self.channel = channel
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.configuration = configuration
        self.closeFuture = closeFuture
    }

    /// Connects, authenticates with SASL PLAIN when `user` is given (no SASL layer otherwise), opens
    /// the connection and begins a session. `tls` nil means plain TCP; otherwise TLS (amqps) is set
    /// up first, and a failed handshake fails the returned future with `AMQPClientError`.
    /// `onConnectionLost` runs once if the connection ends for any reason other than `close()`.
    public static func connect(host: String, port: Int, user: String? = nil, password: String? = nil,
                               containerID: String, tls: AMQPTLSConfiguration? = nil, group: any EventLoopGroup,
                               onConnectionLost: (@Sendable (AMQPConnectionError) -> Void)? = nil) -> EventLoopFuture<AMQPConnection> {
        let sasl = user.map { AMQPSASLCredentials.plain(user: $0, password: password ?? "") }
        let configuration = AMQPConnectionConfiguration(containerID: containerID, hostname: host, sasl: sasl)
        return connect(host: host, port: port, configuration: configuration, tls: tls, group: group, onConnectionLost: onConnectionLost)
    }

    public static func connect(host: String, port: Int, configuration: AMQPConnectionConfiguration,
                               tls: AMQPTLSConfiguration? = nil,
                               group: any EventLoopGroup, logger: Logger = Logger(label: "pier.amqp"),
                               onConnectionLost: (@Sendable (AMQPConnectionError) -> Void)? = nil) -> EventLoopFuture<AMQPConnection> {
        let eventLoop = group.next()
        // One TLS context per connect: the files are read now, so a bad one fails here, before any I/O.
        let sslContext: NIOSSLContext?
        let serverHostname: String?
        do {
            sslContext = try tls?.makeContext()
            serverHostname = try tls?.serverHostname(connectingTo: host)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let ready = eventLoop.makePromise(of: Void.self)
        let closed = eventLoop.makePromise(of: AMQPConnectionError?.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    let handler = AMQPClientHandler(configuration: configuration, readyPromise: ready, closedPromise: closed, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        return bootstrap.connect(host: host, port: port).flatMap { channel in
            ready.futureResult.flatMapThrowing {
                let handler = try channel.pipeline.syncOperations.handler(type: AMQPClientHandler.self)
                let connection = AMQPConnection(channel: channel, handler: handler, configuration: configuration, closeFuture: closed.futureResult)
                closed.futureResult.whenSuccess { reason in
                    if let reason { onConnectionLost?(reason) }
                }
                return connection
            }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }.flatMapError { error in
            // A connect refusal never reaches the handler; make sure the promises are not leaked.
            ready.fail(error)
            closed.succeed(.connectionLost)
            return eventLoop.makeFailedFuture(error)
        }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (AMQPClientHandler) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if eventLoop.inEventLoop { return body(handler.value) }
        return eventLoop.flatSubmit { body(self.handler.value) }
    }

    private func linkName(_ kind: String) -> String {
        let n = linkCounter.withLockedValue { value -> UInt64 in
            value += 1
            return value
        }
        return "\(configuration.containerID)-\(kind)-\(n)"
    }

    /// Attaches a sending link to `address` (e.g. `/queue/NAME` on RabbitMQ); completes once the peer
    /// attached its end. `durable` asks for a durable target terminus, which RabbitMQ turns into a
    /// durable queue (and requires when the queue already exists as durable).
    public func openSender(address: String, durable: Bool = false) -> EventLoopFuture<AMQPSender> {
        let name = linkName("sender")
        return onLoop { $0.openSender(address: address, name: name, durable: durable ? 2 : 0) }.map { handle in
            AMQPSender(connection: self, handle: handle, address: address)
        }
    }

    /// Attaches a receiving link with `credit` messages of credit kept open. `onMessage` runs on the
    /// connection's event loop; each unsettled delivery must be answered with accept, reject or release.
    public func openReceiver(address: String, credit: UInt32 = 100, durable: Bool = false,
                             onMessage: @escaping @Sendable (AMQPIncomingDelivery) -> Void) -> EventLoopFuture<AMQPReceiver> {
        let name = linkName("receiver")
        return onLoop { $0.openReceiver(address: address, name: name, credit: credit, durable: durable ? 2 : 0, onMessage: onMessage) }.map { handle in
            AMQPReceiver(connection: self, handle: handle, address: address)
        }
    }

    /// Sends close and completes when the peer answered (or the socket closed).
    public func close() -> EventLoopFuture<Void> {
        onLoop { $0.close() }
    }

    func send(handle: UInt32, payload: ByteBuffer) -> EventLoopFuture<AMQPDeliveryOutcome> {
        onLoop { $0.send(handle: handle, payload: payload) }
    }

    func settle(deliveryID: UInt32, state: AMQPDeliveryState) {
        if eventLoop.inEventLoop {
            handler.value.settle(deliveryID: deliveryID, state: state)
        } else {
            eventLoop.execute { self.handler.value.settle(deliveryID: deliveryID, state: state) }
        }
    }

    func detach(handle: UInt32) -> EventLoopFuture<Void> {
        onLoop { $0.detach(handle: handle) }
    }
}
