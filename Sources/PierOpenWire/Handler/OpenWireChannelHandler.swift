import Logging
import NIOCore
import PierConnection
import PierCore
import PierSelector

/// The one handler of an OpenWire connection: bytes through the decoder into the state machine, and
/// the machine's actions out, as frames or as core verbs (in `OpenWireChannelHandler+Core.swift`).
public final class OpenWireChannelHandler: CoreChannelHandler, DeliveryTarget {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    let listener: OpenWireListenerContext
    public let core: ConnectionCore
    var machine: OpenWireConnectionStateMachine
    private var decoder: OpenWireFrameDecoder
    private var encoder = OpenWireFrameEncoder()
    /// Set while admission runs, so commands pipelined behind ConnectionInfo wait.
    var admitting = false
    private var started = false

    // Core-side state, used by the +Core extension.
    var connection: OpenWireDeliveryConnection?
    var session: Session?
    var identity: ClientIdentity?
    /// The core session's client id: what no-local compares with `Message.origin`.
    var sessionClientID = ""
    var claimedClientID: String?
    var consumers: [OpenWireConsumerId: ConsumerState] = [:]
    var queueConsumers: [ObjectIdentifier: OpenWireConsumerId] = [:]
    var topicSubscriptions: [UInt32: TopicSubscription] = [:]
    var nextTopicIdentifier: UInt32 = 1
    var transactions: [OpenWireTransactionId: TransactionState] = [:]
    var advisoryConsumers: [OpenWireConsumerId: (queues: Bool, topics: Bool)] = [:]
    var nextLocalSequence: Int64 = 1
    lazy var localProducerId = OpenWireProducerId(
        connectionId: "ID:pier-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36), sessionId: 0, value: 0)

    struct ConsumerState {
        var info: OpenWireConsumerInfo
        var queue: QueueConsumer?
        /// A composite queue consumer (`queue://a,b`): the core consumers of the other queues, and whose
        /// prefetch the credit the client returns refills.
        var otherQueues: [QueueConsumer] = []
        var compositeCredit = OpenWireCompositeCredit()
        var topicIdentifiers: [UInt32] = []
        var durableKey: String?
        var pullOutstanding = false
        var pullGeneration = 0
    }

    struct TopicSubscription {
        var consumerId: OpenWireConsumerId
        var filter: String
        var selector: MessageSelector?
        var noLocal: Bool
    }
    /// The core holds one subscription per filter and session: the identifier it was made with, by filter.
    var coreFilters: [String: UInt32] = [:]

    final class TransactionState {
        let queue = QueueTransaction()
        var acks: [(QueueConsumer, UInt64)] = []
    }

    public init(listener: OpenWireListenerContext) {
        self.listener = listener
        self.core = ConnectionCore(listener: listener.common, protocolName: "openwire")
        self.machine = OpenWireConnectionStateMachine(configuration: listener.machine, now: BrokerClock.nowMillis())
        self.decoder = OpenWireFrameDecoder(options: OpenWireFormatOptions(maxFrameSize: listener.machine.maxFrameSize))
        core.onFlush = { [unowned(unsafe) self] in machine.bytesSent(now: BrokerClock.nowMillis()) }
    }

    var broker: Broker { listener.common.broker }
    var logger: Logger { listener.common.logger }
    var shared: OpenWireBrokerState { listener.shared }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        core.handlerAdded(context: context, swept: self)
        if context.channel.isActive { start() }
    }

    public func channelActive(context: ChannelHandlerContext) {
        core.channelActive()
        start()
        context.fireChannelActive()
    }

    /// The broker's WireFormatInfo goes out as soon as the connection is accepted, as ActiveMQ's does.
    private func start() {
        guard !started else { return }
        started = true
        run(machine.start())
        flush()
    }

    public func connectionClosed() {
        machine.channelClosed()
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

    func processInbound() {
        core.decodeInbound { buffer in
            guard !admitting, machine.acceptsInput else { return .wait }
            do throws(OpenWireDecodeError) {
                guard let command = try decoder.next(&buffer) else { return .wait }
                logger.trace("OpenWire command in", metadata: ["command": "\(command)"])
                run(machine.receive(command, now: BrokerClock.nowMillis()))
                return .next
            } catch {
                logger.debug("malformed OpenWire frame", metadata: ["error": "\(error)"])
                run(machine.decodeFailed(error))
                return .discard
            }
        }
    }

    // MARK: - Actions

    func run(_ actions: [OpenWireAction]) {
        for action in actions {
            switch action {
            case .send(let command):
                send(command)
            case .negotiated(let options):
                decoder.options = options
                encoder.options = options
            case .close:
                core.afterPendingCommits { [core] in core.close() }
            case .admit(let info, let request):
                admit(info, request)
            case .addConsumer(let info, let request):
                addConsumer(info, request)
            case .removeConsumer(let id, let notDelivered):
                removeConsumer(id, notDelivered: notDelivered)
            case .removeProducer:
                break
            case .produce(let message, let request):
                produce(message, request)
            case .settle(let settlement):
                settle(settlement)
            case .credit(let id, let n):
                if consumers[id]?.otherQueues.isEmpty == false {
                    creditComposite(id, n)
                } else if let q = consumers[id]?.queue {
                    broker.queues.grantCredit(q, n)
                }
            case .setCredit(let id, let n):
                if let state = consumers[id], let q = state.queue {
                    for queue in [q] + state.otherQueues { broker.queues.setCredit(queue, n) }
                }
            case .pull(let pull):
                self.pull(pull)
            case .beginTransaction(let tx):
                transactions[tx] = TransactionState()
            case .commitTransaction(let tx, let request):
                commit(tx, request)
            case .rollbackTransaction(let tx, let request):
                if let t = transactions.removeValue(forKey: tx) { broker.queues.rollback(t.queue) }
                run(machine.completed(request))
            case .destination(let info, let request):
                destination(info, request)
            case .removeSubscription(let info, let request):
                removeSubscription(info, request)
            case .removeConnection(let request):
                releaseEverything()
                core.afterPendingCommits { [self] in
                    run(machine.completed(request))
                    flush()
                }
            }
        }
    }

    func send(_ command: OpenWireCommand) {
        if case .messageDispatch(let d) = command, d.message != nil {
            core.listener.metrics.messagesSent.increment()
        }
        core.write { buffer in
            do {
                try encoder.encode(command, into: &buffer)
            } catch {
                logger.warning("OpenWire command could not be encoded", metadata: ["type": "\(command.typeID)", "error": "\(error)"])
            }
        }
    }

    func flush() {
        core.flush()
    }

    public func serverClose(_ reason: String) {
        send(.connectionError(OpenWireConnectionError(exception: OpenWireThrowable(className: OpenWireErrorClass.io, message: reason),
                                                      connectionId: machine.connectionId)))
        machine.channelClosed()
        core.afterPendingCommits { [core] in core.close() }
        flush()
    }
}
