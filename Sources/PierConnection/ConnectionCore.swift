import NIOCore
import PierCore

/// The protocol-neutral half of a connection handler. A protocol's handler owns one and forwards its
/// channel events to it; the handler keeps only its codec and state machine. This holds what every
/// protocol needs and must get right the same way:
/// - the inbound buffer, kept only while a frame is partial, and socket byte counts for `$SYS`;
/// - one outbound buffer flushed once per read cycle or loop tick, not once per frame;
/// - keepalive sweeping (by the registry, which lists the connection), registered whether the handler
///   arrives before or after the channel is active (a handler added after a WebSocket upgrade never
///   sees `channelActive`);
/// - admission: the connection limit, then the authenticator;
/// - the hop from a storage commit (on the writer thread) back to this connection's loop, and
///   "close waits for acknowledgements still waiting on the log".
///
/// Confined to the channel's event loop, like the handler that owns it.
public final class ConnectionCore {
    public let listener: ListenerContext
    /// The wire protocol's name as the admin API lists it (`mqtt`, `stomp`, `openwire`).
    public let protocolName: String
    /// This connection's id in `listener.registry` while it is open.
    public private(set) var registryID: UInt64?
    // The one-byte fields sit together after the 9-byte optional, in its padding: stored fields are laid
    // out in declaration order, and apart they would each round up to 8 bytes (this object is one per
    // connection; packed, it fits malloc's 224-byte size class instead of 240).
    /// False once the channel is inactive: nothing more is written.
    public private(set) var isOpen = true
    private var flushScheduled = false
    /// What the admin API lists, kept here rather than in the registry: strings shared with the
    /// session's, and no second copy per connection.
    private var connectedSince: Int64 = 0
    private var admittedClientID: String?
    private var admittedUsername: String?
    public private(set) var context: ChannelHandlerContext?
    /// Acknowledgements handed to the log whose commit has not come back yet.
    public private(set) var pendingCommits = 0

    private var inbound: ByteBuffer?
    private var outbound: ByteBuffer?
    /// The handler that owns this core, so it outlives it. Not `weak`: a weak reference gives the handler a
    /// side table, which sends every retain and release of it down the slow path (about 20 % more CPU
    /// per message in the QoS 1 benchmark).
    private unowned(unsafe) var swept: (any SweptConnection)?

    public init(listener: ListenerContext, protocolName: String) {
        self.listener = listener
        self.protocolName = protocolName
    }

    /// The client's address as a trusted proxy reported it (`X-Forwarded-For` on a WebSocket listener).
    public var reportedAddress: String?

    public var eventLoop: (any EventLoop)? { context?.eventLoop }
    public var remoteAddress: String? { reportedAddress ?? context?.remoteAddress?.description }

    // MARK: - Lifecycle (forwarded by the protocol handler)

    public func handlerAdded(context: ChannelHandlerContext, swept: any SweptConnection) {
        self.context = context
        self.swept = swept
        if context.channel.isActive {
            register()
        }
    }

    public func channelActive() {
        register()
    }

    public func channelInactive() {
        isOpen = false
        unregister()
        inbound = nil
        outbound = nil
    }

    public func handlerRemoved() {
        unregister()
        context = nil
    }

    private func register() {
        guard registryID == nil, isOpen, let context else { return }
        connectedSince = BrokerClock.nowMillis()
        registryID = listener.registry.register(self, on: context.eventLoop)
        listener.metrics.connections.increment()
    }

    private func unregister() {
        guard let id = registryID, let context else { return }
        registryID = nil
        listener.registry.unregister(id, on: context.eventLoop)
        listener.metrics.connections.decrement()
    }

    func registryEntry(id: UInt64) -> ConnectionRegistry.Entry {
        ConnectionRegistry.Entry(id: id, protocolName: protocolName, listener: listener.name, remoteAddress: remoteAddress,
                                 clientID: admittedClientID, username: admittedUsername, connectedSince: connectedSince)
    }

    /// The registry's sweep, on this connection's loop: the handler checks its deadlines.
    func sweep(now: Int64) {
        swept?.sweep(now: now)
    }

    // MARK: - Inbound

    public enum DecodeStep {
        /// A frame was taken; try the next.
        case next
        /// Stop for now (need more bytes, or the connection is waiting); keep what is left.
        case wait
        /// The input is unusable (a decode error): drop it.
        case discard
    }

    public func received(_ bytes: ByteBuffer) {
        listener.metrics.bytesReceived.increment(by: bytes.readableBytes)
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = bytes
        } else {
            var incoming = bytes
            inbound!.writeBuffer(&incoming)
        }
    }

    /// Hands the buffered bytes to `step` until it waits, discards, or the bytes run out. Between reads
    /// only a partial frame is kept.
    public func decodeInbound(_ step: (inout ByteBuffer) -> DecodeStep) {
        while var buffer = inbound, buffer.readableBytes > 0 {
            inbound = nil
            let result = step(&buffer)
            switch result {
            case .discard:
                return
            case .wait:
                inbound = buffer
            case .next:
                inbound = buffer
                continue
            }
            break
        }
        if let buffer = inbound, buffer.readableBytes == 0 {
            inbound = nil
        } else if inbound != nil {
            inbound!.discardReadBytes()
        }
    }

    public var bufferedInputBytes: Int { inbound?.readableBytes ?? 0 }

    // MARK: - Outbound

    /// Encodes into the connection's pending output; nothing reaches the socket until a flush.
    public func write(_ encode: (inout ByteBuffer) -> Void) {
        guard isOpen, let context else { return }
        if outbound == nil { outbound = context.channel.allocator.buffer(capacity: 64) }
        encode(&outbound!)
    }

    /// Called after each flush that wrote something: heart-beat timers count only real writes.
    public var onFlush: (() -> Void)?

    public func flush() {
        guard let context, let buffer = outbound, buffer.readableBytes > 0 else { return }
        outbound = nil
        listener.metrics.bytesSent.increment(by: buffer.readableBytes)
        context.writeAndFlush(NIOAny(buffer), promise: nil)
        onFlush?()
    }

    /// Coalesces everything written this loop tick into one flush.
    public func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    /// Flushes what is pending, then closes.
    public func close() {
        flush()
        context?.close(promise: nil)
    }

    // MARK: - Admission

    /// The connection limit first, then the credentials, the same for every protocol.
    public func admit(username: String?, password: [UInt8]?, identity: ClientIdentity) -> Admission {
        listener.logger.debug("client connecting", metadata: ["client": "\(identity.clientID)", "address": "\(identity.remoteAddress ?? "?")",
                                                            "listener": "\(listener.name)"])
        if listener.broker.stats.clientsConnected.load(ordering: .relaxed) >= listener.maxConnections {
            listener.logger.warning("connection refused: max_connections reached",
                                    metadata: ["client": "\(identity.clientID)", "limit": "\(listener.maxConnections)"])
            listener.metrics.refused(.serverBusy)
            return .serverBusy
        }
        switch listener.authenticator.authenticate(username: username, password: password, identity: identity,
                                                   allowAnonymous: listener.allowAnonymous) {
        case .accepted:
            admittedClientID = identity.clientID
            admittedUsername = identity.username
            listener.metrics.connects.increment()
            return .accepted
        case .badCredentials:
            listener.metrics.refused(.badCredentials)
            return .badCredentials
        case .notAuthorized:
            listener.metrics.refused(.notAuthorized)
            return .notAuthorized
        }
    }

    // MARK: - The connection's own session

    /// How attaching a STOMP, OpenWire or AMQP connection's own core session ended.
    public enum OwnSession {
        case attached(Session)
        /// Attached, but the connection closed while it was attaching: release what it holds.
        case closedMeanwhile(Session)
        case failed
    }

    /// Attaches a clean, non-persistent core session for this connection's topic subscriptions (its
    /// protocol's client id names durable subscriptions, not a session to take over), and calls `then`
    /// on this connection's loop.
    public func attachOwnSession(identity: ClientIdentity, connection: any SessionConnection,
                                 then: @escaping (OwnSession) -> Void) {
        listener.broker.attach(identity: identity, cleanStart: true, expiryInterval: 0, will: nil, connection: connection)
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let attached): then(isOpen ? .attached(attached.session) : .closedMeanwhile(attached.session))
                case .failure: then(.failed)
                }
            }
    }

    // MARK: - Commits

    /// A storage commit callback (it runs on the writer thread, or on the publishing loop) that runs
    /// `body` on this connection's loop, if the connection is still open then.
    public func whenCommitted(_ body: @escaping () -> Void) -> @Sendable () -> Void {
        guard let context else { return {} }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, body), eventLoop: loop)
        pendingCommits += 1
        return {
            if loop.inEventLoop {
                let (core, body) = bound.value
                core.committed(body)
            } else {
                loop.execute {
                    let (core, body) = bound.value
                    core.committed(body)
                }
            }
        }
    }

    private func committed(_ body: () -> Void) {
        pendingCommits -= 1
        guard isOpen else { return }
        body()
        scheduleFlush()
    }

    /// Runs `body` once every acknowledgement already waiting on the log has gone out: a closing frame
    /// must not overtake them. At once when none is waiting.
    public func afterPendingCommits(_ body: @escaping () -> Void) {
        guard pendingCommits > 0, let context else {
            body()
            return
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound(body, eventLoop: loop)
        // The barrier commits after everything appended before it, so its callback comes last.
        listener.broker.afterCommit {
            loop.execute { bound.value() }
        }
    }
}
