import NIOCore

/// The server side of one AMQP 1.0 connection, free of I/O: protocol header negotiation (SASL layer,
/// then AMQP), SASL PLAIN and ANONYMOUS, open and close, idle-timeout heartbeats, and the sessions on
/// it. Frames and adapter answers in, `AMQPServerAction`s out; times are milliseconds on a monotonic clock.
public struct AMQPServerConnectionStateMachine {
    public enum State: Hashable, Sendable {
        case awaitingHeader
        case awaitingSASLInit
        case authenticating
        /// SASL is done; the AMQP header comes next.
        case awaitingAMQPHeader
        /// Admission of a client that skipped SASL.
        case admittingWithoutSASL
        case awaitingOpen
        case opened
        case closed
    }

    public let configuration: AMQPServerConfiguration
    public private(set) var state: State = .awaitingHeader
    public private(set) var remoteOpen: AMQPOpen?
    private var sessions: [UInt16: AMQPServerSession] = [:]
    private var lastReceived: Int64
    private var lastSent: Int64
    private let openedAt: Int64

    public init(configuration: AMQPServerConfiguration, now: Int64) {
        self.configuration = configuration
        self.lastReceived = now
        self.lastSent = now
        self.openedAt = now
    }

    public var isOpen: Bool { state == .opened }
    public var containerID: String? { remoteOpen?.containerID }
    public var sessionCount: Int { sessions.count }

    /// The largest frame we may send: the smaller of what the peer accepts and our own limit.
    public var peerMaxFrameSize: Int {
        Int(min(remoteOpen?.maxFrameSize ?? AMQPFrame.minMaxFrameSize, configuration.maxFrameSize))
    }

    // MARK: - Input

    public mutating func bytesReceived(now: Int64) { lastReceived = now }
    public mutating func bytesSent(now: Int64) { lastSent = now }

    public mutating func receive(_ header: AMQPProtocolHeader, now: Int64) -> [AMQPServerAction] {
        lastReceived = now
        switch (state, header) {
        case (.awaitingHeader, .sasl):
            state = .awaitingSASLInit
            var mechanisms = ["PLAIN"]
            if configuration.allowAnonymous { mechanisms.append("ANONYMOUS") }
            return [.sendHeader(.sasl), .sendFrame(AMQPFrame(body: .sasl(.mechanisms(mechanisms))))]
        case (.awaitingHeader, .amqp):
            // No security layer: admission as an anonymous client decides.
            state = .admittingWithoutSASL
            return [.authenticate(username: nil, password: nil)]
        case (.awaitingAMQPHeader, .amqp):
            state = .awaitingOpen
            return [.sendHeader(.amqp)]
        default:
            // The spec's answer to a header we do not serve: ours, then close.
            let ours: AMQPProtocolHeader = state == .awaitingAMQPHeader ? .amqp : .sasl
            state = .closed
            return [.sendHeader(ours), .close]
        }
    }

    public mutating func receive(_ frame: AMQPFrame, now: Int64) -> [AMQPServerAction] {
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

    /// The decoder rejected the input: say why in a close when the AMQP layer is up, then give up.
    public mutating func decodeFailed(_ error: AMQPDecodeError) -> [AMQPServerAction] {
        guard state != .closed else { return [] }
        let condition: String
        switch error {
        case .frameTooLarge, .invalidFrameSize, .invalidDataOffset, .unknownFrameType:
            condition = AMQPError.framingError
        case .invalidProtocolHeader:
            state = .closed
            return [.sendHeader(.sasl), .close]
        default:
            condition = AMQPError.decodeError
        }
        return fail(AMQPError(condition: condition, description: "\(error)"))
    }

    // MARK: - SASL

    private mutating func handleSASL(_ sasl: AMQPSASLFrame) -> [AMQPServerAction] {
        guard state == .awaitingSASLInit, case .initial(let mechanism, let response, _) = sasl else {
            state = .closed
            return [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .sys, additionalData: nil)))), .close]
        }
        switch mechanism {
        case "PLAIN":
            // authzid NUL authcid NUL passwd (RFC 4616).
            let bytes = response.map { Array($0.readableBytesView) } ?? []
            let parts = bytes.split(separator: 0, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return saslFailed() }
            state = .authenticating
            return [.authenticate(username: String(decoding: parts[1], as: UTF8.self), password: Array(parts[2]))]
        case "ANONYMOUS" where configuration.allowAnonymous:
            state = .authenticating
            return [.authenticate(username: nil, password: nil)]
        default:
            return saslFailed()
        }
    }

    private mutating func saslFailed() -> [AMQPServerAction] {
        state = .closed
        return [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .auth, additionalData: nil)))), .close]
    }

    /// The adapter's admission verdict; `refusal` is the reason when refused.
    public mutating func authenticated(_ accepted: Bool, refusal: AMQPError? = nil) -> [AMQPServerAction] {
        switch state {
        case .authenticating:
            guard accepted else { return saslFailed() }
            state = .awaitingAMQPHeader
            return [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .ok, additionalData: nil)))), .expectHeader]
        case .admittingWithoutSASL:
            guard accepted else {
                // Without SASL there is no outcome frame: open, then close with the reason (as brokers do).
                state = .closed
                return [.sendHeader(.amqp), .sendFrame(.performative(.open(ourOpen))),
                        .sendFrame(.performative(.close(AMQPClose(error: refusal ?? AMQPError(condition: AMQPError.unauthorizedAccess,
                                                                                              description: "anonymous access is not allowed"))))),
                        .close]
            }
            state = .awaitingOpen
            return [.sendHeader(.amqp)]
        default:
            return []
        }
    }

    // MARK: - AMQP

    private var ourOpen: AMQPOpen {
        var open = AMQPOpen(containerID: configuration.containerID, maxFrameSize: configuration.maxFrameSize,
                            channelMax: configuration.channelMax,
                            idleTimeOut: configuration.idleTimeoutMillis == 0 ? nil : configuration.idleTimeoutMillis)
        open.offeredCapabilities = ["ANONYMOUS-RELAY"]
        return open
    }

    private mutating func handlePerformative(_ performative: AMQPPerformative, channel: UInt16, payload: ByteBuffer?) -> [AMQPServerAction] {
        switch performative {
        case .open(let open):
            guard state == .awaitingOpen else { return protocolError("unexpected open") }
            guard open.maxFrameSize >= AMQPFrame.minMaxFrameSize else {
                return fail(AMQPError(condition: AMQPError.frameSizeTooSmall, description: "max-frame-size below 512"))
            }
            remoteOpen = open
            state = .opened
            return [.sendFrame(.performative(.open(ourOpen))), .opened(containerID: open.containerID)]
        case .close(let close):
            guard state != .closed else { return [] }
            _ = close
            var actions = endAllSessions()
            state = .closed
            actions += [.sendFrame(.performative(.close(AMQPClose()))), .close]
            return actions
        case .begin(let begin):
            guard state == .opened else { return protocolError("begin before open") }
            guard begin.remoteChannel == nil else { return protocolError("begin answering a session Pier did not start") }
            guard channel <= min(configuration.channelMax, remoteOpen?.channelMax ?? .max) else {
                return protocolError("channel \(channel) above channel-max")
            }
            guard sessions[channel] == nil else { return protocolError("channel \(channel) is in use") }
            let session = AMQPServerSession(channel: channel, begin: begin, configuration: configuration, maxFrameSize: peerMaxFrameSize)
            sessions[channel] = session
            return [.sendFrame(.performative(.begin(session.beginReply), channel: channel))]
        case .end:
            guard state == .opened, sessions[channel] != nil else { return protocolError("end on an unused channel") }
            var actions = sessions[channel]!.endAll()
            sessions[channel] = nil
            actions.append(.sendFrame(.performative(.end(AMQPEnd()), channel: channel)))
            return actions
        default:
            guard state == .opened else { return protocolError("\(performative) before open") }
            guard sessions[channel] != nil else { return protocolError("frame on unused channel \(channel)") }
            do {
                return try sessions[channel]!.receive(performative, payload: payload)
            } catch {
                return fail(error)
            }
        }
    }

    private mutating func protocolError(_ detail: String) -> [AMQPServerAction] {
        fail(AMQPError(condition: AMQPError.framingError, description: detail))
    }

    /// Closes the connection with `error`; before open there is nobody to tell, so the socket just closes.
    private mutating func fail(_ error: AMQPError) -> [AMQPServerAction] {
        guard state != .closed else { return [] }
        var actions = endAllSessions()
        switch state {
        case .awaitingOpen:
            // Close must follow an open of ours.
            actions += [.sendFrame(.performative(.open(ourOpen))), .sendFrame(.performative(.close(AMQPClose(error: error))))]
        case .opened:
            actions.append(.sendFrame(.performative(.close(AMQPClose(error: error)))))
        default:
            break
        }
        state = .closed
        actions.append(.close)
        return actions
    }

    private mutating func endAllSessions() -> [AMQPServerAction] {
        var actions: [AMQPServerAction] = []
        for channel in sessions.keys.sorted() { actions += sessions[channel]!.endAll() }
        sessions.removeAll()
        return actions
    }

    /// The socket closed: every link is detached so the adapter gives back what it held.
    public mutating func connectionLost() -> [AMQPServerAction] {
        let actions = endAllSessions()
        state = .closed
        return actions
    }

    /// Pier closes the connection (server shutdown, takeover).
    public mutating func close(_ error: AMQPError) -> [AMQPServerAction] {
        fail(error)
    }

    // MARK: - Adapter answers

    public mutating func acceptIncoming(_ key: AMQPLinkKey, reply: AMQPAttach) -> [AMQPServerAction] {
        sessions[key.channel]?.acceptIncoming(handle: key.handle, reply: reply) ?? []
    }

    public mutating func acceptOutgoing(_ key: AMQPLinkKey, reply: AMQPAttach) -> [AMQPServerAction] {
        guard sessions[key.channel] != nil else { return [] }
        var actions = sessions[key.channel]!.acceptOutgoing(handle: key.handle, reply: reply)
        actions += sessions[key.channel]!.pump()
        return actions
    }

    public mutating func refuseLink(_ key: AMQPLinkKey, reply: AMQPAttach, error: AMQPError) -> [AMQPServerAction] {
        sessions[key.channel]?.refuseLink(handle: key.handle, reply: reply, error: error) ?? []
    }

    /// Detaches a link Pier can no longer serve (its queue went away, a delivery it cannot take).
    public mutating func detach(_ key: AMQPLinkKey, error: AMQPError) -> [AMQPServerAction] {
        sessions[key.channel]?.detachForError(key.handle, error) ?? []
    }

    /// The core's outcome for an unsettled incoming delivery: Pier settles it (first).
    public mutating func settleIncoming(_ key: AMQPLinkKey, deliveryID: UInt32, state: AMQPDeliveryState) -> [AMQPServerAction] {
        settle(key, deliveryIDs: [deliveryID], state: state)
    }

    /// Settles accepted incoming deliveries of one link in as few dispositions as their ids allow (one per
    /// run of consecutive ids): commits complete in batches, so a batch of acks is one frame.
    public mutating func settleAccepted(_ key: AMQPLinkKey, deliveryIDs: [UInt32]) -> [AMQPServerAction] {
        settle(key, deliveryIDs: deliveryIDs, state: .accepted)
    }

    private mutating func settle(_ key: AMQPLinkKey, deliveryIDs: [UInt32], state: AMQPDeliveryState) -> [AMQPServerAction] {
        guard self.state == .opened, sessions[key.channel]?.links[key.handle] != nil, !deliveryIDs.isEmpty else { return [] }
        return sessions[key.channel]!.settleIncoming(handle: key.handle, deliveryIDs: deliveryIDs, state: state)
    }

    /// A core delivery for a peer receiver. `dropped`: the link is gone or holds too many already.
    public mutating func deliver(_ key: AMQPLinkKey, token: UInt64, payload: ByteBuffer) -> (actions: [AMQPServerAction], dropped: Bool) {
        guard state == .opened, sessions[key.channel] != nil else { return ([], true) }
        return sessions[key.channel]!.deliver(handle: key.handle, token: token, payload: payload)
    }

    public func isAttached(_ key: AMQPLinkKey) -> Bool {
        sessions[key.channel]?.links[key.handle]?.attached ?? false
    }

    // MARK: - Time

    /// Heartbeats at half the peer's idle timeout; a close when the peer is silent beyond ours.
    public mutating func tick(now: Int64) -> [AMQPServerAction] {
        switch state {
        case .closed:
            return []
        case .opened:
            break
        default:
            if now - openedAt > configuration.connectTimeoutMillis {
                return fail(AMQPError(condition: AMQPError.resourceLimitExceeded, description: "connection not opened in time"))
            }
            return []
        }
        let ours = Int64(configuration.idleTimeoutMillis)
        if ours > 0, now - lastReceived > ours {
            return fail(AMQPError(condition: AMQPError.resourceLimitExceeded, description: "local-idle-timeout expired"))
        }
        if let peer = remoteOpen?.idleTimeOut, peer > 0, now - lastSent >= Int64(peer) / 2 {
            lastSent = now
            return [.sendFrame(AMQPFrame(channel: 0, body: .heartbeat))]
        }
        return []
    }
}
