import Logging
import NIOCore
import PierConnection
import PierCore

/// The one handler of an MQTT connection: bytes through the codec into the state machine, and the
/// machine's actions out as packets or core calls. Buffers, flushing, sweeping, admission and the
/// commit hops are the shared `ConnectionCore`'s.
public final class MQTTChannelHandler: CoreChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let listener: MQTTListenerContext
    public let core: ConnectionCore
    private var machine: MQTTConnectionStateMachine
    private var decoder: MQTTPacketDecoder
    /// Decoding waits while the broker attaches the session, so packets pipelined behind CONNECT keep their order.
    /// (Declared right after `decoder`, it takes a byte of the decoder's tail padding rather than 8 at the end.)
    private var awaitingAttach = false
    private var session: Session?
    private var connection: MQTTSessionConnection?

    public init(listener: MQTTListenerContext) {
        self.listener = listener
        self.core = ConnectionCore(listener: listener.common, protocolName: "mqtt")
        self.machine = MQTTConnectionStateMachine(policy: listener.policy, now: BrokerClock.nowMillis())
        self.decoder = MQTTPacketDecoder(maximumPacketSize: listener.configuration.maximumPacketSize)
    }

    public func connectionClosed() {
        run(machine.channelClosed())
    }

    public func bytesArrived() {
        processInbound()
    }

    public func logConnectionError(_ error: any Error) {
        listener.logger.debug("connection error", metadata: ["client": "\(machine.clientID)", "error": "\(error)"])
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        run(machine.writabilityChanged(context.channel.isWritable, now: BrokerClock.nowMillis()))
        core.flush()
        context.fireChannelWritabilityChanged()
    }

    public func sweep(now: Int64) {
        let actions = machine.checkTimeouts(now: now)
        if !actions.isEmpty {
            run(actions)
            core.flush()
        }
    }

    // MARK: - Inbound

    private func processInbound() {
        core.decodeInbound { buffer in
            guard !awaitingAttach, machine.acceptsInput else { return .wait }
            let packet: MQTTPacket?
            do throws(MQTTDecodeError) {
                packet = try decoder.decode(&buffer)
            } catch {
                listener.logger.debug("malformed packet", metadata: ["client": "\(machine.clientID)", "error": "\(error)"])
                run(machine.decodeFailed(error))
                return .discard
            }
            guard let packet else { return .wait }
            run(machine.receive(packet, now: BrokerClock.nowMillis()))
            return .next
        }
    }

    // MARK: - Deliveries from the broker

    func deliverFromBroker(_ deliveries: [Delivery]) {
        run(machine.deliver(deliveries, now: BrokerClock.nowMillis()))
        core.scheduleFlush()
    }

    func takenOver() {
        run(machine.takenOver())
        core.flush()
    }

    func shutdown() {
        run(machine.serverShutdown())
        core.flush()
    }

    // MARK: - Actions

    private func run(_ actions: [MQTTConnectionStateMachine.Action]) {
        if core.pendingCommits > 0, actions.contains(where: { if case .close = $0 { return true } else { return false } }) {
            // Acknowledgements still waiting for the log must reach the client before the closing
            // DISCONNECT, so the close waits behind them.
            core.afterPendingCommits { [self] in perform(actions) }
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
                core.close()
            case .attach(let request):
                attach(request)
            case .publish(let message, let ack, let exactlyOnceID):
                publish(message, ack: ack, exactlyOnceID: exactlyOnceID)
            case .release(let packetID, let ack):
                guard let session else { continue }
                listener.broker.record(.incomingDone(key: DeliveryKey(packetID: packetID)), for: session, onCommit: sendWhenCommitted(ack))
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
                listener.broker.stats.messagesDropped.increment()
                if let session, let id = delivery.message.id { listener.broker.record(.completed(messageID: id), for: session) }
            case .requeue(let deliveries):
                if let session { listener.broker.requeue(session: session, deliveries) }
            }
        }
    }

    private func publish(_ message: Message, ack: MQTTPacket?, exactlyOnceID: UInt16?) {
        // The QoS 2 packet id is stored atomically with the message, so a resend after a crash is either
        // recognised (both stored) or routed afresh (neither stored).
        let event = exactlyOnceID.flatMap { id in session.map { (SessionEvent.incomingHeld(key: DeliveryKey(packetID: id)), $0) } }
        core.listener.metrics.messagesReceived.increment()
        // Asked before `sendWhenCommitted` counts this acknowledgement as pending.
        let nothingAwaitingCommit = core.pendingCommits == 0
        listener.broker.publish(message, recording: event, nothingAwaitingCommit: nothingAwaitingCommit,
                                onCommit: ack.map(sendWhenCommitted))
    }

    /// A storage commit callback that sends `packet` on this connection's loop.
    private func sendWhenCommitted(_ packet: MQTTPacket) -> @Sendable () -> Void {
        core.whenCommitted { [self] in send(packet) }
    }

    private func send(_ packet: MQTTPacket) {
        if case .publish = packet {
            core.listener.metrics.messagesSent.increment()
        }
        let version = machine.version
        core.write { MQTTPacketEncoder.encode(packet, version: version, into: &$0) }
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
        guard let context = core.context else { return }
        let identity = ClientIdentity(clientID: request.clientID, username: request.username, listener: listener.name,
                                      remoteAddress: core.remoteAddress)
        switch core.admit(username: request.username, password: request.password, identity: identity) {
        case .accepted: break
        case .serverBusy: return run(machine.connectRefused(.serverUnavailable))
        case .badCredentials: return run(machine.connectRefused(.badUserNameOrPassword))
        case .notAuthorized: return run(machine.connectRefused(.notAuthorized))
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
                    guard self.core.isOpen else {
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
                self.core.flush()
            }
    }
}
