import Logging
import NIOCore
import PierConnection
import PierCore
import PierSelector

/// The one handler of an AMQP server connection: bytes through the frame decoder into the state
/// machine, and the machine's actions out, as frames or as core verbs (in the `+Links` and `+Messages`
/// extensions).
public final class AMQPServerHandler: CoreChannelHandler, DeliveryTarget {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    let listener: AMQPListenerContext
    public let core: ConnectionCore
    var machine: AMQPServerConnectionStateMachine
    private var decoder: AMQPFrameDecoder
    /// Set while the core session is being attached, so frames behind the SASL exchange wait.
    private var admitting = false

    // Core-side state, used by the extensions.
    var connection: DeliveryConnection<AMQPServerHandler>?
    var session: Session?
    var identity: ClientIdentity?
    var containerID: String?
    var incoming: [AMQPLinkKey: IncomingLink] = [:]
    var outgoing: [AMQPLinkKey: OutgoingLink] = [:]
    var consumerLinks: [ObjectIdentifier: AMQPLinkKey] = [:]
    var topicLinks: [UInt32: AMQPLinkKey] = [:]
    var nextTopicIdentifier: UInt32 = 1
    /// Transactions declared on this connection's coordinator links, by txn-id.
    var transactions: [[UInt8]: QueueTransaction] = [:]
    var nextTransaction: UInt64 = 1
    /// Incoming deliveries whose commit came back, by link, settled together once per loop tick.
    var acceptedPending: [AMQPLinkKey: [UInt32]] = [:]
    private var acceptScheduled = false

    struct IncomingLink {
        /// nil: an anonymous-relay sender; each message goes where its `to` says.
        var destination: Destination?
        /// A transaction coordinator: its messages declare and discharge transactions.
        var coordinator = false
    }

    struct OutgoingLink {
        enum Kind {
            case queue(QueueConsumer)
            /// `noLocal` is checked here: the core's no-local compares session ids, and a message's origin
            /// is its container id (what durable subscriptions compare).
            case topic(identifier: UInt32, filter: String, selector: MessageSelector?, noLocal: Bool)
            /// distribution-mode copy on a queue: a snapshot, outcomes mean nothing.
            case browse
        }
        var kind: Kind
        var address: String
        /// A dynamic node's temporary queue or topic, deleted with the link.
        var temporary: String?
        /// A durable subscription (container id, link name), removed by a closing detach.
        var durable: (clientID: String, name: String)?
    }

    public init(listener: AMQPListenerContext) {
        self.listener = listener
        self.core = ConnectionCore(listener: listener.common, protocolName: "amqp")
        self.machine = AMQPServerConnectionStateMachine(configuration: listener.configuration, now: BrokerClock.nowMillis())
        self.decoder = AMQPFrameDecoder(maxFrameSize: listener.configuration.maxFrameSize)
        core.onFlush = { [unowned(unsafe) self] in machine.bytesSent(now: BrokerClock.nowMillis()) }
    }

    var broker: Broker { listener.common.broker }
    var logger: Logger { listener.common.logger }

    // MARK: - Channel events

    public func connectionClosed() {
        run(machine.connectionLost())
        releaseEverything()
    }

    public func bytesArrived() {
        machine.bytesReceived(now: BrokerClock.nowMillis())
        processInbound()
    }

    public func sweep(now: Int64) {
        let actions = machine.tick(now: now)
        if !actions.isEmpty {
            run(actions)
            core.flush()
        }
    }

    private func processInbound() {
        core.decodeInbound { buffer in
            guard !admitting, machine.state != .closed else { return .wait }
            do throws(AMQPDecodeError) {
                guard let item = try decoder.next(&buffer) else { return .wait }
                let now = BrokerClock.nowMillis()
                switch item {
                case .header(let header): run(machine.receive(header, now: now))
                case .frame(let frame): run(machine.receive(frame, now: now))
                }
                return .next
            } catch {
                logger.debug("malformed AMQP input", metadata: ["error": "\(error)"])
                run(machine.decodeFailed(error))
                return .discard
            }
        }
    }

    // MARK: - Actions

    func run(_ actions: [AMQPServerAction]) {
        for action in actions {
            switch action {
            case .sendHeader(let header):
                core.write { $0.writeBytes(header.bytes) }
            case .sendFrame(let frame):
                core.write { $0.writeAMQPFrame(frame) }
            case .expectHeader:
                decoder.expectingHeader = true
            case .authenticate(let username, let password):
                admit(username: username, password: password)
            case .opened(let containerID):
                self.containerID = containerID
            case .attachIncoming(let key, let attach):
                attachIncoming(key, attach)
            case .attachOutgoing(let key, let attach):
                attachOutgoing(key, attach)
            case .credit(let key, let n):
                if case .queue(let consumer)? = outgoing[key]?.kind { broker.queues.setCredit(consumer, n) }
            case .message(let key, let deliveryID, let settled, let transaction, let payload):
                if incoming[key]?.coordinator == true {
                    coordinate(key, deliveryID: deliveryID, settled: settled, payload: payload)
                } else {
                    publish(key, deliveryID: deliveryID, settled: settled, transaction: transaction, payload: payload)
                }
            case .outcome(let key, let token, let state):
                settleOutgoing(key, token: token, state: state)
            case .detached(let key, let closed, _):
                linkDetached(key, closed: closed)
            case .close:
                core.afterPendingCommits { [self] in
                    flushAccepted()
                    core.close()
                }
            }
        }
    }

    /// An accepted incoming delivery, settled with the others of this loop tick in ranged dispositions.
    func queueAccepted(_ key: AMQPLinkKey, deliveryID: UInt32) {
        acceptedPending[key, default: []].append(deliveryID)
        guard !acceptScheduled, let loop = core.eventLoop else { return }
        acceptScheduled = true
        loop.assumeIsolated().execute {
            self.flushAccepted()
            self.core.flush()
        }
    }

    func flushAccepted() {
        acceptScheduled = false
        guard !acceptedPending.isEmpty else { return }
        let pending = acceptedPending
        acceptedPending = [:]
        for (key, ids) in pending.sorted(by: { ($0.key.channel, $0.key.handle) < ($1.key.channel, $1.key.handle) }) {
            run(machine.settleAccepted(key, deliveryIDs: ids))
        }
    }

    /// The broker ends the connection (shutdown, or a session takeover, which cannot happen: each AMQP
    /// connection has a core session of its own).
    public func serverClose(_ reason: String) {
        serverClose(AMQPError(condition: AMQPError.connectionForced, description: reason))
    }

    func serverClose(_ error: AMQPError) {
        run(machine.close(error))
        core.flush()
    }

    private func admit(username: String?, password: [UInt8]?) {
        guard let context = core.context else { return }
        let id = "amqp-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36)
        let identity = ClientIdentity(clientID: id, username: username, listener: listener.common.name, remoteAddress: core.remoteAddress)
        switch core.admit(username: username, password: password, identity: identity) {
        case .accepted: break
        case .serverBusy:
            return run(machine.authenticated(false, refusal: AMQPError(condition: AMQPError.resourceLimitExceeded, description: "Too many connections")))
        case .badCredentials:
            return run(machine.authenticated(false, refusal: AMQPError(condition: AMQPError.unauthorizedAccess, description: "Bad username or password")))
        case .notAuthorized:
            return run(machine.authenticated(false, refusal: AMQPError(condition: AMQPError.unauthorizedAccess, description: "Not authorized")))
        }
        self.identity = identity
        let connection = DeliveryConnection(self, eventLoop: context.eventLoop)
        self.connection = connection
        run(machine.authenticated(true))
        admitting = true
        core.attachOwnSession(identity: identity, connection: connection) { outcome in
            self.admitting = false
            switch outcome {
            case .attached(let session):
                self.session = session
            case .closedMeanwhile(let session):
                self.session = session
                return self.releaseEverything()
            case .failed:
                self.serverClose(AMQPError(condition: AMQPError.internalError, description: "Server unavailable"))
            }
            self.processInbound()
            self.core.flush()
        }
    }

    /// Everything the connection holds goes back: open transactions roll back, consumers close (unsettled messages are redelivered),
    /// topic subscriptions and temporary queues go, and the core session ends.
    func releaseEverything() {
        for (_, t) in transactions { broker.queues.rollback(t) }
        transactions = [:]
        for (_, link) in outgoing {
            if case .queue(let consumer) = link.kind { broker.queues.closeConsumer(consumer) }
        }
        outgoing = [:]
        incoming = [:]
        consumerLinks = [:]
        topicLinks = [:]
        broker.queues.deleteTemporaryDestinations(owner: ObjectIdentifier(self))
        if let session, let connection {
            broker.detach(session: session, connection: connection, deliveryState: SessionDeliveryState(), publishWill: false, expiryInterval: 0)
        }
        session = nil
    }
}
