import NIOCore

/// The client side of one AMQP connection, free of I/O: protocol headers, optional SASL, open and
/// close, heartbeats and idle timeout, and the sessions on it. Times are milliseconds on any
/// monotonic clock; the handler passes `now` in and performs the actions that come out.
public struct AMQPConnectionStateMachine {
    public enum Action: Hashable, Sendable {
        case sendHeader(AMQPProtocolHeader)
        case sendFrame(AMQPFrame)
        /// The peer's open arrived: sessions may begin.
        case opened(AMQPOpen)
        case session(channel: UInt16, AMQPSessionEvent)
        /// The connection is over: flush what was sent and close the socket. nil means a clean local close.
        case closed(AMQPConnectionError?)
    }

    public enum State: Hashable, Sendable {
        case idle
        case awaitingSASLHeader
        case awaitingSASLMechanisms
        case awaitingSASLOutcome
        case awaitingAMQPHeader
        case awaitingOpen
        case opened
        case closeSent
        case closed
    }

    public let configuration: AMQPConnectionConfiguration
    public private(set) var state: State = .idle
    public private(set) var remoteOpen: AMQPOpen?
    private var sessions: [UInt16: AMQPSessionStateMachine] = [:]
    /// The peer's channel number → ours, learned from its begin.
    private var remoteChannels: [UInt16: UInt16] = [:]
    private var lastReceived: Int64 = 0
    private var lastSent: Int64 = 0
    /// Set when we close because of an error, so the final `.closed` reports it.
    private var closeReason: AMQPConnectionError?

    public init(configuration: AMQPConnectionConfiguration) {
        self.configuration = configuration
    }

    public var isOpen: Bool { state == .opened }
    public func session(_ channel: UInt16) -> AMQPSessionStateMachine? { sessions[channel] }

    /// The largest frame we may send: the smaller of what the peer accepts and our own limit.
    public var peerMaxFrameSize: UInt32 {
        min(remoteOpen?.maxFrameSize ?? AMQPFrame.minMaxFrameSize, configuration.maxFrameSize)
    }

    /// How often the handler should call `tick`; nil while no timer is needed.
    public var tickIntervalMillis: Int64? {
        var candidates: [Int64] = []
        if let peer = remoteOpen?.idleTimeOut, peer > 0 { candidates.append(Int64(peer) / 4) }
        if configuration.idleTimeoutMillis > 0 { candidates.append(Int64(configuration.idleTimeoutMillis) / 4) }
        guard let smallest = candidates.min() else { return nil }
        return max(smallest, 10)
    }

    // MARK: - Lifecycle

    public mutating func start(now: Int64) -> [Action] {
        guard state == .idle else { return [] }
        lastReceived = now
        lastSent = now
        if configuration.sasl != nil {
            state = .awaitingSASLHeader
            return [.sendHeader(.sasl)]
        }
        return startAMQP()
    }

    private mutating func startAMQP() -> [Action] {
        state = .awaitingAMQPHeader
        // The open may follow the header without waiting for the peer's header (pipelining).
        let open = AMQPOpen(containerID: configuration.containerID, hostname: configuration.hostname,
                            maxFrameSize: configuration.maxFrameSize, channelMax: configuration.channelMax,
                            idleTimeOut: configuration.idleTimeoutMillis == 0 ? nil : configuration.idleTimeoutMillis)
        return [.sendHeader(.amqp), .sendFrame(.performative(.open(open)))]
    }

    /// The handler wrote something: the peer's idle timer is reset by any frame.
    public mutating func noteWrite(now: Int64) {
        lastSent = now
    }

    public mutating func receive(_ header: AMQPProtocolHeader, now: Int64) -> [Action] {
        lastReceived = now
        switch state {
        case .awaitingSASLHeader:
            guard header == .sasl else { return fail(.protocolHeaderMismatch(sent: .sasl, received: header), sendClose: false) }
            state = .awaitingSASLMechanisms
            return []
        case .awaitingAMQPHeader:
            guard header == .amqp else { return fail(.protocolHeaderMismatch(sent: .amqp, received: header), sendClose: false) }
            state = .awaitingOpen
            return []
        default:
            return fail(.protocolViolation("unexpected protocol header \(header)"), sendClose: false)
        }
    }

    public mutating func receive(_ frame: AMQPFrame, now: Int64) -> [Action] {
        lastReceived = now
        switch frame.body {
        case .heartbeat:
            return []
        case .sasl(let sasl):
            return handleSASL(sasl)
        case .performative(let performative, let payload):
            return handlePerformative(performative, channel: frame.channel, payload: payload)
        }
    }

    /// The decoder rejected the input: tell the peer why, then give up on the connection.
    public mutating func decodeFailed(_ error: AMQPDecodeError) -> [Action] {
        let condition: String
        switch error {
        case .frameTooLarge, .invalidFrameSize, .invalidDataOffset, .unknownFrameType, .invalidProtocolHeader:
            condition = AMQPError.framingError
        default:
            condition = AMQPError.decodeError
        }
        let canClose = state == .awaitingOpen || state == .opened
        closeReason = .decodeFailed(error)
        return fail(.decodeFailed(error), sendClose: canClose, error: AMQPError(condition: condition, description: "\(error)"))
    }

    /// Sends a heartbeat when we have been quiet for half the peer's idle timeout, and closes when
    /// the peer has been quiet for our whole idle timeout.
    public mutating func tick(now: Int64) -> [Action] {
        guard state != .idle, state != .closed else { return [] }
        let ours = Int64(configuration.idleTimeoutMillis)
        if ours > 0, now - lastReceived >= ours {
            closeReason = .idleTimeout
            let error = AMQPError(condition: AMQPError.resourceLimitExceeded, description: "local-idle-timeout expired")
            return fail(.idleTimeout, sendClose: state == .opened || state == .awaitingOpen, error: error)
        }
        if let peer = remoteOpen?.idleTimeOut, peer > 0, state == .opened || state == .closeSent, now - lastSent >= Int64(peer) / 2 {
            lastSent = now
            return [.sendFrame(AMQPFrame(channel: 0, body: .heartbeat))]
        }
        return []
    }

    public mutating func close(error: AMQPError? = nil) -> [Action] {
        switch state {
        case .closed, .closeSent:
            return []
        case .awaitingOpen, .opened:
            state = .closeSent
            return [.sendFrame(.performative(.close(AMQPClose(error: error))))]
        default:
            // Before the AMQP layer is up there is nobody to say close to.
            return finish(nil)
        }
    }

    /// The socket closed under us.
    public mutating func connectionLost() -> [Action] {
        guard state != .closed else { return [] }
        let reason: AMQPConnectionError? = state == .closeSent && closeReason == nil ? nil : (closeReason ?? .connectionLost)
        return finish(reason)
    }

    // MARK: - SASL

    private mutating func handleSASL(_ sasl: AMQPSASLFrame) -> [Action] {
        guard let credentials = configuration.sasl else {
            return fail(.protocolViolation("SASL frame without SASL"), sendClose: false)
        }
        switch (state, sasl) {
        case (.awaitingSASLMechanisms, .mechanisms(let offered)):
            guard offered.contains(credentials.mechanism) else {
                return fail(.mechanismNotOffered(wanted: credentials.mechanism, offered: offered), sendClose: false)
            }
            state = .awaitingSASLOutcome
            let initial: AMQPSASLFrame
            switch credentials {
            case .plain(let user, let password): initial = .plain(user: user, password: password, hostname: configuration.hostname)
            case .anonymous: initial = .anonymous(hostname: configuration.hostname)
            }
            return [.sendFrame(AMQPFrame(body: .sasl(initial)))]
        case (.awaitingSASLOutcome, .challenge):
            // PLAIN and ANONYMOUS have no challenge step; answer empty so a lenient server can go on.
            return [.sendFrame(AMQPFrame(body: .sasl(.response(ByteBuffer()))))]
        case (.awaitingSASLOutcome, .outcome(let code, _)):
            guard code == .ok else { return fail(.authenticationFailed(code), sendClose: false) }
            return startAMQP()
        default:
            return fail(.protocolViolation("unexpected SASL frame in state \(state)"), sendClose: false)
        }
    }

    // MARK: - AMQP

    private mutating func handlePerformative(_ performative: AMQPPerformative, channel: UInt16, payload: ByteBuffer?) -> [Action] {
        switch performative {
        case .open(let open):
            guard state == .awaitingOpen || state == .closeSent, remoteOpen == nil else {
                return protocolError("unexpected open")
            }
            remoteOpen = open
            if state == .closeSent { return [] }
            state = .opened
            return [.opened(open)]
        case .close(let close):
            if state == .closeSent {
                return finish(closeReason ?? close.error.map { .remoteClosed($0) })
            }
            state = .closeSent
            return [.sendFrame(.performative(.close(AMQPClose())))] + finish(.remoteClosed(close.error))
        case .begin(let begin):
            guard state == .opened || state == .closeSent else { return protocolError("begin before open") }
            guard let ours = begin.remoteChannel, sessions[ours] != nil else {
                // Pier's client never accepts sessions the peer starts.
                return protocolError("begin for a session we did not start")
            }
            remoteChannels[channel] = ours
            return route(ours, sessions[ours]!.receive(performative, payload: payload))
        default:
            guard state == .opened || state == .closeSent else { return protocolError("\(performative) before open") }
            guard let ours = remoteChannels[channel], sessions[ours] != nil else {
                if state == .closeSent { return [] }
                return protocolError("frame on unmapped channel \(channel)")
            }
            if case .end = performative { remoteChannels[channel] = nil }
            let actions = route(ours, sessions[ours]!.receive(performative, payload: payload))
            if sessions[ours]?.state == .ended { sessions[ours] = nil }
            return actions
        }
    }

    private mutating func route(_ channel: UInt16, _ sessionActions: [AMQPSessionStateMachine.Action]) -> [Action] {
        var actions: [Action] = []
        for action in sessionActions {
            switch action {
            case .send(let performative, let payload):
                actions.append(.sendFrame(.performative(performative, channel: channel, payload: payload)))
            case .event(let event):
                actions.append(.session(channel: channel, event))
            case .fail(let error):
                closeReason = .closedWithError(error)
                return actions + fail(.closedWithError(error), sendClose: true, error: error)
            }
        }
        return actions
    }

    private mutating func protocolError(_ detail: String) -> [Action] {
        let error = AMQPError(condition: AMQPError.framingError, description: detail)
        closeReason = .protocolViolation(detail)
        return fail(.protocolViolation(detail), sendClose: state == .opened || state == .awaitingOpen, error: error)
    }

    /// Ends the connection because of `reason`, telling the peer with close if the AMQP layer is up.
    private mutating func fail(_ reason: AMQPConnectionError, sendClose: Bool, error: AMQPError? = nil) -> [Action] {
        var actions: [Action] = []
        if sendClose, state != .closeSent, state != .closed {
            actions.append(.sendFrame(.performative(.close(AMQPClose(error: error)))))
        }
        return actions + finish(reason)
    }

    private mutating func finish(_ reason: AMQPConnectionError?) -> [Action] {
        guard state != .closed else { return [] }
        state = .closed
        var actions: [Action] = []
        for channel in sessions.keys.sorted() {
            let tokens = sessions[channel]!.connectionClosed()
            actions.append(.session(channel: channel, .ended(nil, unsettled: tokens)))
        }
        sessions.removeAll()
        remoteChannels.removeAll()
        actions.append(.closed(reason))
        return actions
    }

    // MARK: - Sessions and links

    public mutating func beginSession() throws(AMQPConnectionError) -> (channel: UInt16, actions: [Action]) {
        guard state == .opened else { throw .notOpen }
        let limit = min(configuration.channelMax, remoteOpen?.channelMax ?? 0)
        var channel: UInt16 = 0
        while sessions[channel] != nil {
            guard channel < limit else { throw .protocolViolation("no free channel (channel-max \(limit))") }
            channel += 1
        }
        let session = AMQPSessionStateMachine(channel: channel, maxFrameSize: Int(peerMaxFrameSize),
                                              incomingWindow: configuration.sessionWindow, outgoingWindow: configuration.sessionWindow)
        sessions[channel] = session
        return (channel, [.sendFrame(.performative(.begin(session.beginFrame), channel: channel))])
    }

    public mutating func endSession(channel: UInt16, error: AMQPError? = nil) -> [Action] {
        guard state == .opened, sessions[channel] != nil else { return [] }
        return route(channel, sessions[channel]!.end(error: error))
    }

    public mutating func attachSender(channel: UInt16, name: String, address: String, durable: UInt32 = 0) throws(AMQPConnectionError) -> (handle: UInt32, actions: [Action]) {
        guard state == .opened, sessions[channel] != nil else { throw .notOpen }
        let (handle, actions) = sessions[channel]!.attachSender(name: name, address: address, durable: durable)
        return (handle, route(channel, actions))
    }

    public mutating func attachReceiver(channel: UInt16, name: String, address: String, credit: UInt32, durable: UInt32 = 0) throws(AMQPConnectionError) -> (handle: UInt32, actions: [Action]) {
        guard state == .opened, sessions[channel] != nil else { throw .notOpen }
        let (handle, actions) = sessions[channel]!.attachReceiver(name: name, address: address, credit: credit, durable: durable)
        return (handle, route(channel, actions))
    }

    public mutating func send(channel: UInt16, handle: UInt32, token: UInt64, payload: ByteBuffer) -> [Action] {
        guard state == .opened, sessions[channel] != nil else {
            return [.session(channel: channel, .linkDetached(handle: handle, error: nil, unsettled: [token]))]
        }
        return route(channel, sessions[channel]!.send(handle: handle, token: token, payload: payload))
    }

    public mutating func settle(channel: UInt16, deliveryID: UInt32, state deliveryState: AMQPDeliveryState) -> [Action] {
        guard state == .opened, sessions[channel] != nil else { return [] }
        return route(channel, sessions[channel]!.settle(deliveryID: deliveryID, state: deliveryState))
    }

    public mutating func detach(channel: UInt16, handle: UInt32, error: AMQPError? = nil) -> [Action] {
        guard state == .opened, sessions[channel] != nil else { return [] }
        return route(channel, sessions[channel]!.detach(handle: handle, error: error))
    }
}
