import Logging
import NIOCore
import PierConnection
import PierCore
import PierSelector

/// The one handler of a STOMP connection: bytes through the decoder into the state machine, and the
/// machine's actions out, as frames or as core verbs (in `STOMPChannelHandler+Core.swift`).
public final class STOMPChannelHandler: CoreChannelHandler, DeliveryTarget {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    let listener: STOMPListenerContext
    public let core: ConnectionCore
    var machine: STOMPConnectionStateMachine
    private var decoder: STOMPFrameDecoder
    /// Set while admission runs, so frames pipelined behind CONNECT wait.
    private var admitting = false

    // Core-side state, used by the +Core extension.
    var connection: DeliveryConnection<STOMPChannelHandler>?
    var session: Session?
    var identity: ClientIdentity?
    var topicSubscriptions: [UInt32: TopicSubscription] = [:]
    var topicIdentifiers: [String: UInt32] = [:]
    var nextTopicIdentifier: UInt32 = 1
    var consumers: [String: QueueConsumer] = [:]
    var consumerSubscriptions: [ObjectIdentifier: String] = [:]
    var transactions: [String: QueueTransaction] = [:]
    /// This connection's `/temp-queue/NAME` and `/temp-topic/NAME` → core names, and back.
    var temporaryQueues: [String: String] = [:]
    var temporaryTopics: [String: String] = [:]
    var nextLocalMessageID: UInt64 = 1
    /// Producers send to the same place frame after frame: the last destination text and what it resolved
    /// to, and the last core destination and how it is written, skip re-parsing and re-formatting.
    var lastResolved: (text: String, destinations: [Destination])?
    var lastFormatted: (destination: Destination, text: String)?

    struct TopicSubscription {
        var id: String
        var filter: String
        var selector: MessageSelector?
    }

    public init(listener: STOMPListenerContext) {
        self.listener = listener
        self.core = ConnectionCore(listener: listener.common, protocolName: "stomp")
        self.machine = STOMPConnectionStateMachine(configuration: listener.machine, now: BrokerClock.nowMillis())
        self.decoder = STOMPFrameDecoder(version: .v1_0, limits: listener.limits)
        core.onFlush = { [unowned(unsafe) self] in machine.bytesSent(now: BrokerClock.nowMillis()) }
    }

    var broker: Broker { listener.common.broker }
    var logger: Logger { listener.common.logger }

    // MARK: - Channel events

    public func connectionClosed() {
        _ = machine.channelClosed()
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
            flush()
        }
    }

    private func processInbound() {
        core.decodeInbound { buffer in
            guard !admitting, machine.acceptsInput else { return .wait }
            do throws(STOMPDecodeError) {
                guard let event = try decoder.next(&buffer) else { return .wait }
                if case .frame(let frame) = event {
                    run(machine.receive(frame, now: BrokerClock.nowMillis()))
                    decoder.version = machine.version
                }
                return .next
            } catch {
                logger.debug("malformed STOMP frame", metadata: ["error": "\(error)"])
                run(machine.decodeFailed(error))
                return .discard
            }
        }
    }

    // MARK: - Actions

    func run(_ actions: [STOMPAction]) {
        for action in actions {
            switch action {
            case .send(let frame):
                send(frame)
            case .heartbeat:
                core.write { STOMPFrameEncoder.heartbeat(into: &$0) }
            case .close:
                core.afterPendingCommits { [core] in core.close() }
            case .admit(let login, let passcode, let clientID):
                admit(login: login, passcode: passcode, clientID: clientID)
            case .publish(let frame, let tx, let receipt):
                publish(frame, transaction: tx, receipt: receipt)
            case .subscribe(let s, let receipt):
                subscribe(s, receipt: receipt)
            case .unsubscribe(let s, let receipt):
                unsubscribe(s, receipt: receipt)
            case .removeDurable(let name, let receipt):
                removeDurable(name, receipt: receipt)
            case .ack(let target, let tx, let receipt):
                settle(target, accept: true, transaction: tx, receipt: receipt)
            case .nack(let target, let tx, let receipt):
                settle(target, accept: false, transaction: tx, receipt: receipt)
            case .begin(let tx, let receipt):
                transactions[tx] = QueueTransaction()
                run(machine.completed(receipt: receipt))
            case .commit(let tx, let receipt):
                commit(tx, receipt: receipt)
            case .abort(let tx, let receipt):
                if let t = transactions.removeValue(forKey: tx) { broker.queues.rollback(t) }
                run(machine.completed(receipt: receipt))
            case .disconnect(let receipt):
                releaseEverything()
                core.afterPendingCommits { [self] in
                    run(machine.completed(receipt: receipt))
                    flush()
                }
            }
        }
    }

    func send(_ frame: STOMPFrame) {
        if frame.command == .message {
            core.listener.metrics.messagesSent.increment()
        }
        let version = machine.version
        core.write { STOMPFrameEncoder.encode(frame, version: version, into: &$0) }
    }

    func flush() {
        core.flush()
    }

    public func serverClose(_ reason: String) {
        run(machine.failed(reason, receipt: nil))
        flush()
    }

    private func admit(login: String?, passcode: String?, clientID: String?) {
        guard let context = core.context else { return }
        let id = "stomp-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36)
        let identity = ClientIdentity(clientID: clientID ?? id, username: login, listener: listener.common.name,
                                      remoteAddress: core.remoteAddress)
        switch core.admit(username: login, password: passcode.map { Array($0.utf8) }, identity: identity) {
        case .accepted: break
        case .serverBusy: return run(machine.connectRefused("Too many connections"))
        case .badCredentials: return run(machine.connectRefused("Authentication failed: bad login or passcode"))
        case .notAuthorized: return run(machine.connectRefused("Not authorized"))
        }
        self.identity = identity
        let connection = DeliveryConnection(self, eventLoop: context.eventLoop)
        self.connection = connection
        admitting = true
        // Each STOMP connection gets a core session of its own for topic subscriptions: the client-id is
        // for durable subscriptions, not a session to take over.
        let sessionIdentity = ClientIdentity(clientID: id, username: login, listener: listener.common.name, remoteAddress: core.remoteAddress)
        core.attachOwnSession(identity: sessionIdentity, connection: connection) { outcome in
            self.admitting = false
            switch outcome {
            case .attached(let session):
                self.session = session
                self.run(self.machine.connectAdmitted(sessionID: id, now: BrokerClock.nowMillis()))
            case .closedMeanwhile(let session):
                self.session = session
                return self.releaseEverything()
            case .failed:
                self.run(self.machine.connectRefused("Server unavailable"))
            }
            self.processInbound()
            self.flush()
        }
    }
}
