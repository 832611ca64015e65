import Logging
import NIOCore
import PierCore

/// The one handler of an MQTT connection: bytes in, packets through the state machine, actions out.
/// Outgoing packets are encoded into one buffer and flushed once per read cycle or delivery batch.
public final class MQTTChannelHandler: ChannelInboundHandler, SweptConnection {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let listener: MQTTListenerContext
    private var machine: MQTTConnectionStateMachine
    private var decoder: MQTTPacketDecoder
    private var inbound: ByteBuffer?
    private var outbound: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var session: Session?
    private var connection: MQTTSessionConnection?
    /// Decoding waits while the broker attaches the session, so packets pipelined behind CONNECT keep their order.
    private var awaitingAttach = false
    private var flushScheduled = false
    private var sweeper: ConnectionSweeper?
    private var channelOpen = true
    /// Acknowledgements handed to the log whose commit has not come back yet.
    private var pendingCommits = 0

    public init(listener: MQTTListenerContext) {
        self.listener = listener
        self.machine = MQTTConnectionStateMachine(policy: listener.policy, now: BrokerClock.nowMillis())
        self.decoder = MQTTPacketDecoder(maximumPacketSize: listener.configuration.maximumPacketSize)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        let sweeper = ConnectionSweeper.current(on: context.eventLoop)
        sweeper.register(self)
        self.sweeper = sweeper
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        channelOpen = false
        sweeper?.unregister(self)
        sweeper = nil
        run(machine.channelClosed())
        inbound = nil
        outbound = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        listener.broker.stats.bytesReceived.add(bytes.readableBytes, ordering: .relaxed)
        if inbound == nil || inbound!.readableBytes == 0 {
            inbound = bytes
        } else {
            var incoming = bytes
            inbound!.writeBuffer(&incoming)
        }
        processInbound()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        flush()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        run(machine.writabilityChanged(context.channel.isWritable, now: BrokerClock.nowMillis()))
        flush()
        context.fireChannelWritabilityChanged()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        listener.logger.debug("connection error", metadata: ["client": "\(machine.clientID)", "error": "\(error)"])
        context.close(promise: nil)
    }

    public func sweep(now: Int64) {
        let actions = machine.checkTimeouts(now: now)
        if !actions.isEmpty {
            run(actions)
            flush()
        }
    }

    // MARK: - Inbound

    private func processInbound() {
        while !awaitingAttach, machine.acceptsInput, var buffer = inbound, buffer.readableBytes > 0 {
            let packet: MQTTPacket?
            do {
                packet = try decoder.decode(&buffer)
            } catch {
                inbound = nil
                listener.logger.debug("malformed packet", metadata: ["client": "\(machine.clientID)", "error": "\(error)"])
                run(machine.decodeFailed(error))
                return
            }
            inbound = buffer
            guard let packet else { break }
            run(machine.receive(packet, now: BrokerClock.nowMillis()))
        }
        if let buffer = inbound, buffer.readableBytes == 0 {
            inbound = nil
        } else if inbound != nil {
            inbound!.discardReadBytes()
        }
    }

    // MARK: - Deliveries from the broker

    func deliverFromBroker(_ deliveries: [Delivery]) {
        run(machine.deliver(deliveries, now: BrokerClock.nowMillis()))
        scheduleFlush()
    }

    func takenOver() {
        run(machine.takenOver())
        flush()
    }

    func shutdown() {
        run(machine.serverShutdown())
        flush()
    }

    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        // Coalesces every delivery this loop tick into one flush per connection.
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    // MARK: - Actions

    private func run(_ actions: [MQTTConnectionStateMachine.Action]) {
        if pendingCommits > 0, let context, actions.contains(where: { if case .close = $0 { return true } else { return false } }) {
            // Acknowledgements still waiting for the log must reach the client before the closing
            // DISCONNECT, so the close waits behind them (the barrier commits after all of them).
            let loop = context.eventLoop
            let deferred = NIOLoopBound((self, actions), eventLoop: loop)
            listener.broker.afterCommit {
                loop.execute {
                    let (handler, actions) = deferred.value
                    handler.perform(actions)
                }
            }
            return
        }
        perform(actions)
    }

    private func perform(_ actions: [MQTTConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let packet):
                send(packet)
            case .close:
                flush()
                context?.close(promise: nil)
            case .attach(let request):
                attach(request)
            case .publish(let message, let ack, let exactlyOnceID):
                publish(message, ack: ack, exactlyOnceID: exactlyOnceID)
            case .release(let packetID, let ack):
                guard let session else { continue }
                listener.broker.record(.incomingReleased(packetID: packetID), for: session, onCommit: sendWhenCommitted(ack))
            case .sendAfterCommit(let packet):
                listener.broker.afterCommit(sendWhenCommitted(packet))
            case .progress(let event):
                if let session { listener.broker.record(event, for: session) }
            case .subscribe(let packetID, let requests):
                subscribe(packetID: packetID, requests)
            case .unsubscribe(let packetID, let filters):
                guard let session else { continue }
                let existed = filters.map { listener.broker.unsubscribe(session: session, filter: $0) }
                run(machine.unsubscribed(packetID: packetID, existed: existed))
            case .detach(let publishWill, let expiry, let state, let undelivered):
                guard let session, let connection else { continue }
                listener.broker.detach(session: session, connection: connection, deliveryState: state, undelivered: undelivered,
                                       publishWill: publishWill, expiryInterval: expiry)
                self.connection = nil
            case .dropped(let delivery):
                listener.broker.stats.messagesDropped.add(1, ordering: .relaxed)
                if let session, let id = delivery.message.id { listener.broker.record(.completed(messageID: id), for: session) }
            case .requeue(let deliveries):
                if let session { listener.broker.requeue(session: session, deliveries) }
            }
        }
    }

    private func publish(_ message: Message, ack: MQTTPacket?, exactlyOnceID: UInt16?) {
        // The QoS 2 packet id is stored atomically with the message, so a resend after a crash is either
        // recognised (both stored) or routed afresh (neither stored).
        let event = exactlyOnceID.flatMap { id in session.map { (SessionEvent.incomingReceived(packetID: id), $0) } }
        listener.broker.publish(message, recording: event, onCommit: ack.map(sendWhenCommitted))
    }

    /// A callback for storage commits (which run on the store's thread) that sends `packet` on this connection's loop.
    private func sendWhenCommitted(_ packet: MQTTPacket) -> @Sendable () -> Void {
        guard let context else { return {} }
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        pendingCommits += 1
        return {
            if loop.inEventLoop {
                bound.value.sendCommitted(packet)
            } else {
                loop.execute { bound.value.sendCommitted(packet) }
            }
        }
    }

    private func sendCommitted(_ packet: MQTTPacket) {
        pendingCommits -= 1
        guard channelOpen else { return }
        send(packet)
        scheduleFlush()
    }

    private func send(_ packet: MQTTPacket) {
        if case .publish = packet {
            listener.broker.stats.messagesSent.add(1, ordering: .relaxed)
        }
        guard let context else { return }
        if outbound == nil {
            outbound = context.channel.allocator.buffer(capacity: 64)
        }
        MQTTPacketEncoder.encode(packet, version: machine.version, into: &outbound!)
    }

    private func flush() {
        guard let context, let buffer = outbound, buffer.readableBytes > 0 else { return }
        outbound = nil
        // Socket bytes, like `bytes/received` and mosquitto's `bytes/sent` (TLS framing excluded).
        listener.broker.stats.bytesSent.add(buffer.readableBytes, ordering: .relaxed)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func subscribe(packetID: UInt16, _ requests: [MQTTSubscribeRequest]) {
        guard let session else { return }
        var retained: [Delivery] = []
        for request in requests where !request.reasonCode.isFailure {
            retained += listener.broker.subscribe(session: session, filter: request.filter, options: request.options).retained
        }
        run(machine.subscribed(packetID: packetID, requests, retained: retained, now: BrokerClock.nowMillis()))
    }

    private func attach(_ request: MQTTConnectRequest) {
        guard let context else { return }
        let identity = ClientIdentity(clientID: request.clientID, username: request.username, listener: listener.name,
                                      remoteAddress: context.remoteAddress?.description)
        if listener.broker.stats.clientsConnected.load(ordering: .relaxed) >= listener.maxConnections {
            listener.logger.warning("connection refused: max_connections reached",
                                    metadata: ["client": "\(request.clientID)", "limit": "\(listener.maxConnections)"])
            run(machine.connectRefused(.serverUnavailable))
            return
        }
        switch listener.authenticator.authenticate(username: request.username, password: request.password, identity: identity,
                                                   allowAnonymous: listener.allowAnonymous) {
        case .accepted:
            break
        case .badCredentials:
            run(machine.connectRefused(.badUserNameOrPassword))
            return
        case .notAuthorized:
            run(machine.connectRefused(.notAuthorized))
            return
        }
        // The will is a publish made later on the client's behalf: the same rules apply now, `$SYS`
        // included, or a will would forge `$SYS` figures (mosquitto 2.0.11 without an ACL accepts it).
        if let will = request.will, !listener.broker.authorizer.mayPublish(identity, topic: will.message.topic) {
            run(machine.connectRefused(.notAuthorized))
            return
        }
        let connection = MQTTSessionConnection(handler: self, eventLoop: context.eventLoop)
        self.connection = connection
        awaitingAttach = true
        listener.broker.attach(identity: identity, cleanStart: request.cleanStart, expiryInterval: request.sessionExpiry,
                               will: request.will, connection: connection)
            .assumeIsolated()
            .whenComplete { result in
                self.awaitingAttach = false
                switch result {
                case .success(let attached):
                    self.session = attached.session
                    guard self.channelOpen else {
                        // The socket closed while attaching; give the session straight back, will included.
                        self.listener.broker.detach(session: attached.session, connection: connection, deliveryState: attached.deliveryState,
                                                    undelivered: attached.queued, publishWill: true, expiryInterval: request.sessionExpiry)
                        return
                    }
                    self.run(self.machine.connectAccepted(request, sessionPresent: attached.sessionPresent, resumed: attached.deliveryState,
                                                          queued: attached.queued, identity: identity, now: BrokerClock.nowMillis()))
                case .failure:
                    self.run(self.machine.connectRefused(.serverUnavailable))
                }
                self.processInbound()
                self.flush()
            }
    }
}
