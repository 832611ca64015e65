/// One OpenWire connection's protocol logic, with no I/O: commands and broker events in,
/// `OpenWireAction`s out. It sends the broker's WireFormatInfo and negotiates the client's, enforces
/// the order ActiveMQ does (ConnectionInfo before anything else, sessions before their consumers),
/// keeps sessions, consumers, producers and local transactions, resolves acknowledgements against what
/// was dispatched, answers every command that wants a Response, and keeps the connection alive.
public struct OpenWireConnectionStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// Largest frame accepted from the client (the listener's limit).
        public var maxFrameSize: Int
        /// What the broker advertises; the smaller of this and the client's value is used.
        public var maxInactivityDuration: Int64
        public var maxInactivityDurationInitialDelay: Int64
        /// A connection that has not sent ConnectionInfo within this is closed (`limits.connect_timeout`).
        public var connectTimeoutMillis: Int64
        public var brokerName: String
        public var brokerId: String

        public init(maxFrameSize: Int = OpenWireFormatOptions.defaultMaxFrameSize, maxInactivityDuration: Int64 = 30_000,
                    maxInactivityDurationInitialDelay: Int64 = 10_000, connectTimeoutMillis: Int64 = 10_000,
                    brokerName: String = "pier", brokerId: String = "ID:pier-broker") {
            self.maxFrameSize = maxFrameSize
            self.maxInactivityDuration = maxInactivityDuration
            self.maxInactivityDurationInitialDelay = maxInactivityDurationInitialDelay
            self.connectTimeoutMillis = connectTimeoutMillis
            self.brokerName = brokerName
            self.brokerId = brokerId
        }
    }

    /// The only wire format version Pier marshals (ActiveMQ 5.12 and later).
    public static let version: Int32 = 12

    enum State: Sendable, Equatable {
        case awaitingWireFormat
        case awaitingConnectionInfo
        case admitting
        case connected
        case closed
    }

    /// A dispatched message the consumer has not settled yet.
    struct Pending: Sendable, Equatable {
        var messageId: OpenWireMessageId?
        var tag: UInt64
        /// The broker sequence id it went out with; RemoveInfo's `lastDeliveredSequenceId` compares with it.
        var sequence: Int64 = 0
        /// A DELIVERED ack already gave its prefetch slot back.
        var creditReturned = false
    }

    let configuration: Configuration
    private(set) var state: State = .awaitingWireFormat
    public private(set) var connectionId: OpenWireConnectionId?
    public private(set) var clientId: String?
    /// The client takes broker control commands (ConnectionInfo.manageable; ActiveMQ's JMS client does).
    private var manageable = false
    public internal(set) var sessions: Set<Int64> = []
    public internal(set) var consumers: [OpenWireConsumerId: OpenWireConsumerInfo] = [:]
    public internal(set) var producers: Set<OpenWireProducerId> = []
    public private(set) var transactions: Set<OpenWireTransactionId> = []
    var pending: [OpenWireConsumerId: [Pending]] = [:]
    /// The last broker sequence id stamped on a queue dispatch: one counter for the connection, so it
    /// rises in dispatch order across all its consumers (what a session's or connection's RemoveInfo needs).
    var dispatchSequence: Int64 = 0
    /// Deliveries acknowledged inside an open transaction. A rollback hands them back to their
    /// consumers: the JMS client redelivers them itself and acknowledges them again later.
    var acknowledgedIn: [OpenWireTransactionId: [(OpenWireConsumerId, Pending)]] = [:]
    /// Negotiated inactivity timeout (ms); 0 is off.
    public private(set) var inactivityTimeout: Int64 = 0
    private var inactivityStartsAt: Int64 = 0
    private var lastReceived: Int64
    private var lastSent: Int64
    private let openedAt: Int64

    public init(configuration: Configuration = Configuration(), now: Int64) {
        self.configuration = configuration
        self.lastReceived = now
        self.lastSent = now
        self.openedAt = now
    }

    public var isConnected: Bool { state == .connected }
    /// False while admission runs and once closed: the handler holds further input.
    public var acceptsInput: Bool { state != .admitting && state != .closed }

    // MARK: - Start

    /// The broker speaks first: its WireFormatInfo goes out as soon as the socket is accepted.
    public func start() -> [OpenWireAction] {
        [.send(.wireFormatInfo(brokerWireFormat()))]
    }

    func brokerWireFormat() -> OpenWireWireFormatInfo {
        typealias K = OpenWireWireFormatInfo.Key
        let map: OpenWirePrimitiveMap = [
            K.stackTraceEnabled: .bool(false), K.platformDetails: .string("Swift"), K.cacheEnabled: .bool(false),
            K.tcpNoDelayEnabled: .bool(true), K.sizePrefixDisabled: .bool(false), K.cacheSize: .int(1024),
            K.providerName: .string("Pier"), K.tightEncodingEnabled: .bool(false),
            K.maxFrameSize: .long(Int64(configuration.maxFrameSize)),
            K.maxInactivityDuration: .long(configuration.maxInactivityDuration),
            K.maxInactivityDurationInitialDelay: .long(configuration.maxInactivityDurationInitialDelay),
            K.maxFrameSizeEnabled: .bool(true), K.providerVersion: .string("1.0"),
        ]
        // Encoding a fixed map of primitives cannot fail.
        return (try? OpenWireWireFormatInfo(version: Self.version, properties: map))
            ?? OpenWireWireFormatInfo(version: Self.version, marshalledProperties: nil)
    }

    // MARK: - Input

    public mutating func bytesReceived(now: Int64) { lastReceived = now }
    public mutating func bytesSent(now: Int64) { lastSent = now }

    public mutating func receive(_ command: OpenWireCommand, now: Int64) -> [OpenWireAction] {
        lastReceived = now
        switch state {
        case .awaitingWireFormat:
            guard case .wireFormatInfo(let info) = command else {
                return connectionError(OpenWireErrorClass.io, "Expected a WireFormatInfo first, got \(command.typeID)")
            }
            return negotiate(info, now: now)
        case .awaitingConnectionInfo:
            switch command {
            case .connectionInfo(let info):
                guard let id = info.connectionId else {
                    return fail(request(command), OpenWireErrorClass.jms, "ConnectionInfo without a connectionId", close: true)
                }
                connectionId = id
                clientId = info.clientId
                manageable = info.manageable
                state = .admitting
                return [.admit(info, request(command))]
            case .keepAliveInfo, .wireFormatInfo:
                return keepAlive(command)
            case .connectionControl:
                // The failover transport announces itself (faultTolerant) on every (re)connect before it
                // replays ConnectionInfo; ActiveMQ accepts that from a connection not yet registered.
                return respond(request(command))
            case .shutdownInfo:
                state = .closed
                return [.close]
            default:
                return fail(request(command), OpenWireErrorClass.illegalState,
                            "\(command.typeID) before ConnectionInfo: the connection is not registered", close: true)
            }
        case .connected:
            return connected(command)
        case .admitting, .closed:
            return []
        }
    }

    public mutating func decodeFailed(_ error: OpenWireDecodeError) -> [OpenWireAction] {
        guard state != .closed else { return [] }
        return connectionError(OpenWireErrorClass.io, "Malformed OpenWire frame: \(error)")
    }

    public mutating func channelClosed() {
        state = .closed
    }

    private func request(_ command: OpenWireCommand) -> OpenWireRequest {
        OpenWireRequest(commandId: command.commandId, responseRequired: command.responseRequired)
    }

    // MARK: - WireFormatInfo

    private mutating func negotiate(_ info: OpenWireWireFormatInfo, now: Int64) -> [OpenWireAction] {
        guard info.version >= Self.version else {
            return connectionError(OpenWireErrorClass.io,
                                   "OpenWire version \(info.version) is not supported: Pier speaks version \(Self.version) (ActiveMQ 5.12 or later)")
        }
        let theirs: OpenWirePrimitiveMap
        do {
            theirs = try info.properties() ?? [:]
        } catch {
            return connectionError(OpenWireErrorClass.io, "Unreadable WireFormatInfo: \(error)")
        }
        typealias K = OpenWireWireFormatInfo.Key
        // Tight encoding, the marshalling cache and a missing size prefix are ANDed with Pier's `false`.
        var options = OpenWireFormatOptions(maxFrameSize: configuration.maxFrameSize, stackTraceEnabled: false, cacheEnabled: false)
        options.cacheSize = Int(min(Int64(1024), theirs.integer(K.cacheSize) ?? 1024))
        var timeout = configuration.maxInactivityDuration
        if let t = theirs.integer(K.maxInactivityDuration) { timeout = min(timeout, t) }
        var delay = configuration.maxInactivityDurationInitialDelay
        if let d = theirs.integer(K.maxInactivityDurationInitialDelay) { delay = min(delay, d) }
        inactivityTimeout = max(0, timeout)
        inactivityStartsAt = now + max(0, delay)
        state = .awaitingConnectionInfo
        let broker = OpenWireBrokerInfo(brokerId: OpenWireBrokerId(configuration.brokerId), brokerURL: nil,
                                        brokerName: configuration.brokerName)
        return [.negotiated(options), .send(.brokerInfo(broker))]
    }

    // MARK: - Admission

    public mutating func connectAdmitted(_ request: OpenWireRequest) -> [OpenWireAction] {
        guard state == .admitting else { return [] }
        state = .connected
        guard manageable else { return respond(request) }
        // ActiveMQ tells a manageable (JMS) client its connection's standing before answering: not part of a
        // network of brokers, no cluster to rebalance onto, nowhere else to reconnect to.
        let control = OpenWireConnectionControl(faultTolerant: false, connectedBrokers: "", reconnectTo: "", rebalanceConnection: false)
        return [.send(.connectionControl(control))] + respond(request)
    }

    public mutating func connectRefused(_ request: OpenWireRequest, _ className: String, _ message: String) -> [OpenWireAction] {
        guard state == .admitting else { return [] }
        return fail(request, className, message, close: true)
    }

    // MARK: - Connected

    private mutating func connected(_ command: OpenWireCommand) -> [OpenWireAction] {
        let req = request(command)
        switch command {
        case .wireFormatInfo, .keepAliveInfo:
            return keepAlive(command)
        case .connectionInfo:
            return fail(req, OpenWireErrorClass.illegalState, "The connection is already registered")
        case .sessionInfo(let info):
            guard let id = info.sessionId, id.connectionId == connectionId?.value else {
                return fail(req, OpenWireErrorClass.illegalState, "SessionInfo for another connection")
            }
            sessions.insert(id.value)
            return respond(req)
        case .producerInfo(let info):
            guard let id = info.producerId, sessions.contains(id.sessionId) || id.sessionId == -1 else {
                return fail(req, OpenWireErrorClass.illegalState, "Cannot add a producer to a session that had not been registered")
            }
            producers.insert(id)
            return respond(req)
        case .consumerInfo(let info):
            // The advisory consumer lives in session -1, which never gets a SessionInfo.
            guard let id = info.consumerId, sessions.contains(id.sessionId) || id.sessionId == -1 else {
                return fail(req, OpenWireErrorClass.illegalState, "Cannot add a consumer to a session that had not been registered")
            }
            guard consumers[id] == nil else { return fail(req, OpenWireErrorClass.illegalState, "Consumer \(id) already exists") }
            guard info.destination?.physicalName?.isEmpty == false else {
                return fail(req, OpenWireErrorClass.invalidDestination, "ConsumerInfo without a destination")
            }
            consumers[id] = info
            return [.addConsumer(info, req)]
        case .removeInfo(let info):
            return remove(info, req)
        case .message(let message):
            if let tx = message.transactionId, !transactions.contains(tx) {
                return fail(req, OpenWireErrorClass.jms, "Transaction \(tx) has not been started")
            }
            guard message.destination?.physicalName?.isEmpty == false else {
                return fail(req, OpenWireErrorClass.invalidDestination, "Message without a destination")
            }
            return [.produce(message, req)]
        case .messageAck(let ack):
            return acknowledge(ack, req)
        case .messagePull(let pull):
            guard let id = pull.consumerId, let info = consumers[id] else { return respond(req) }
            // A browser's end marker comes only from its browse. ActiveMQ's QueueBrowser sends a pull
            // while its enumeration waits for dispatches still in transit; an empty answer to that pull
            // would end the enumeration early (seen as a second browse that stopped at 7 of 10).
            guard !info.browser else { return respond(req) }
            return [.pull(pull)] + respond(req)
        case .transactionInfo(let info):
            return transaction(info, req)
        case .destinationInfo(let info):
            guard info.destination?.kind.isTemporary == true else {
                // ActiveMQ creates ordinary destinations on demand: nothing to do.
                return respond(req)
            }
            return [.destination(info, req)]
        case .removeSubscriptionInfo(let info):
            return [.removeSubscription(info, req)]
        case .shutdownInfo:
            state = .closed
            return [.close]
        case .consumerControl(let control):
            return consumerControl(control, req)
        case .flushCommand, .controlCommand, .connectionControl, .producerAck:
            return respond(req)
        case .brokerInfo, .connectionError, .messageDispatch, .response, .messageDispatchNotification:
            return connectionError(OpenWireErrorClass.io, "\(command.typeID) is not a client command")
        }
    }

    private mutating func keepAlive(_ command: OpenWireCommand) -> [OpenWireAction] {
        guard command.responseRequired, case .keepAliveInfo = command else { return [] }
        return [.send(.keepAliveInfo(OpenWireCommandHeader()))]
    }

    private mutating func transaction(_ info: OpenWireTransactionInfo, _ req: OpenWireRequest) -> [OpenWireAction] {
        guard let tx = info.transactionId else {
            if info.type == .recover {
                return fail(req, OpenWireErrorClass.xa, "XA transactions are not supported by Pier")
            }
            return fail(req, OpenWireErrorClass.jms, "TransactionInfo without a transaction id")
        }
        if tx.isXA {
            return fail(req, OpenWireErrorClass.xa, "XA transactions are not supported by Pier: use local (session) transactions")
        }
        switch info.type {
        case .begin:
            guard transactions.insert(tx).inserted else { return fail(req, OpenWireErrorClass.jms, "Transaction \(tx) is already open") }
            return [.beginTransaction(tx)] + respond(req)
        case .commitOnePhase:
            guard transactions.remove(tx) != nil else { return fail(req, OpenWireErrorClass.jms, "Transaction \(tx) has not been started") }
            acknowledgedIn[tx] = nil
            return [.commitTransaction(tx, req)]
        case .rollback:
            guard transactions.remove(tx) != nil else { return fail(req, OpenWireErrorClass.jms, "Transaction \(tx) has not been started") }
            for (consumer, entry) in (acknowledgedIn.removeValue(forKey: tx) ?? []).reversed() where consumers[consumer] != nil {
                var restored = entry
                // Its prefetch slot was given back when it was acknowledged.
                restored.creditReturned = true
                pending[consumer, default: []].insert(restored, at: 0)
            }
            return [.rollbackTransaction(tx, req)]
        case .end:
            return respond(req)
        default:
            return fail(req, OpenWireErrorClass.jms, "Transaction operation \(info.type.rawValue) is not supported for local transactions")
        }
    }

    // MARK: - Results of core verbs

    public mutating func completed(_ request: OpenWireRequest) -> [OpenWireAction] {
        guard state == .connected || state == .admitting else { return [] }
        return respond(request)
    }

    /// A core verb failed: an ExceptionResponse when the client waits for one, else a ConnectionError.
    public mutating func failed(_ request: OpenWireRequest, _ className: String, _ message: String) -> [OpenWireAction] {
        guard state == .connected else { return [] }
        return fail(request, className, message)
    }

    /// A consumer the core could not attach is forgotten again.
    public mutating func consumerFailed(_ id: OpenWireConsumerId) {
        consumers[id] = nil
        pending[id] = nil
    }

    func respond(_ request: OpenWireRequest) -> [OpenWireAction] {
        guard request.responseRequired else { return [] }
        return [.send(.response(OpenWireResponse(correlationId: request.commandId)))]
    }

    mutating func fail(_ request: OpenWireRequest, _ className: String, _ message: String, close: Bool = false) -> [OpenWireAction] {
        let exception = OpenWireThrowable(className: className, message: message)
        var actions: [OpenWireAction]
        if request.responseRequired {
            actions = [.send(.response(OpenWireResponse(correlationId: request.commandId, payload: .exception(exception))))]
        } else {
            actions = [.send(.connectionError(OpenWireConnectionError(exception: exception, connectionId: connectionId)))]
        }
        if close {
            state = .closed
            actions.append(.close)
        }
        return actions
    }

    private mutating func connectionError(_ className: String, _ message: String) -> [OpenWireAction] {
        state = .closed
        let exception = OpenWireThrowable(className: className, message: message)
        return [.send(.connectionError(OpenWireConnectionError(exception: exception, connectionId: connectionId))), .close]
    }

    // MARK: - Time

    public mutating func tick(now: Int64) -> [OpenWireAction] {
        switch state {
        case .awaitingWireFormat, .awaitingConnectionInfo:
            if now - openedAt > configuration.connectTimeoutMillis {
                state = .closed
                return [.close]
            }
            return []
        case .connected:
            guard inactivityTimeout > 0, now >= inactivityStartsAt else { return [] }
            // ActiveMQ's InactivityMonitor: silence for a whole period is a dead peer; write at least
            // every half period so the client's monitor never fires.
            if now - lastReceived > inactivityTimeout * 2 {
                return connectionError(OpenWireErrorClass.io, "Channel was inactive for too long")
            }
            if now - lastSent >= inactivityTimeout / 2 {
                lastSent = now
                return [.send(.keepAliveInfo(OpenWireCommandHeader()))]
            }
            return []
        case .admitting, .closed:
            return []
        }
    }
}
