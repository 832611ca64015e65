/// One STOMP connection's protocol logic, with no I/O: frames and broker events in, `STOMPAction`s out.
/// It negotiates the version and heart-beats, checks each frame's required headers and the order of
/// frames, keeps subscriptions, open transactions and unacknowledged deliveries, and turns every
/// problem into an ERROR frame followed by a close, as ActiveMQ does.
public struct STOMPConnectionStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// What the broker offers: it can send heart-beats this often and wants them this often (ms).
        public var heartbeat: STOMPHeartbeat
        /// A peer silent for its interval times this is dead.
        public var heartbeatGrace: Double
        public var serverName: String
        /// A connection that has not sent CONNECT within this is closed (`limits.connect_timeout`).
        public var connectTimeoutMillis: Int64

        public init(heartbeat: STOMPHeartbeat = STOMPHeartbeat(outgoing: 1_000, incoming: 1_000), heartbeatGrace: Double = 1.5,
                    serverName: String = "Pier", connectTimeoutMillis: Int64 = 10_000) {
            self.heartbeat = heartbeat
            self.heartbeatGrace = heartbeatGrace
            self.serverName = serverName
            self.connectTimeoutMillis = connectTimeoutMillis
        }
    }

    enum State: Sendable, Equatable {
        case awaitingConnect
        case admitting
        case connected
        case disconnecting
        case closed
    }

    struct Pending: Sendable {
        var subscriptionID: String
        var tag: UInt64
        var messageID: String
        var sequence: UInt64
    }

    let configuration: Configuration
    private(set) var state: State = .awaitingConnect
    public private(set) var version: STOMPVersion = .v1_0
    public private(set) var clientID: String?
    /// Negotiated intervals in ms; 0 is off.
    public private(set) var sendInterval = 0
    public private(set) var receiveInterval = 0
    private var lastReceived: Int64
    /// When the socket opened: CONNECT is due within the connect timeout of this, however much else arrives.
    private let openedAt: Int64
    private var lastSent: Int64
    private var requestedHeartbeat = STOMPHeartbeat.none
    private(set) var subscriptions: [String: STOMPSubscription] = [:]
    private(set) var transactions: Set<String> = []
    /// Unacknowledged deliveries of client-ack subscriptions, by ack id (the `ack` header in 1.2).
    private var pending: [String: Pending] = [:]
    private var nextSequence: UInt64 = 1

    public init(configuration: Configuration = Configuration(), now: Int64) {
        self.configuration = configuration
        self.lastReceived = now
        self.lastSent = now
        self.openedAt = now
    }

    public var isConnected: Bool { state == .connected }
    public var acceptsInput: Bool { state == .awaitingConnect || state == .connected }
    public var openTransactions: Set<String> { transactions }
    public var subscriptionIDs: [String] { subscriptions.keys.sorted() }

    // MARK: - Input

    /// Any bytes arrived (a heart-beat counts).
    public mutating func bytesReceived(now: Int64) {
        lastReceived = now
    }

    /// Something was written to the peer.
    public mutating func bytesSent(now: Int64) {
        lastSent = now
    }

    public mutating func receive(_ frame: STOMPFrame, now: Int64) -> [STOMPAction] {
        lastReceived = now
        switch state {
        case .awaitingConnect:
            guard frame.command == .connect || frame.command == .stomp else {
                return error("Frame \(frame.command) received before CONNECT", frame: frame)
            }
            return connect(frame)
        case .connected:
            return connected(frame)
        case .admitting, .disconnecting, .closed:
            return []
        }
    }

    public mutating func decodeFailed(_ error: STOMPDecodeError) -> [STOMPAction] {
        guard state != .closed else { return [] }
        return self.error(error.description, frame: nil)
    }

    public mutating func channelClosed() -> [STOMPAction] {
        state = .closed
        return []
    }

    // MARK: - Connect

    private mutating func connect(_ frame: STOMPFrame) -> [STOMPAction] {
        guard let negotiated = STOMPVersion.negotiate(acceptVersion: frame.header("accept-version")) else {
            let supported = STOMPVersion.headerValue(listing: Set(STOMPVersion.allCases))
            state = .closed
            return [.send(STOMPFrame(.error, ["version": supported, "content-type": "text/plain",
                                              "message": "Supported protocol versions are \(supported)"])), .close]
        }
        version = negotiated
        if let value = frame.header("heart-beat"), negotiated != .v1_0 {
            do {
                requestedHeartbeat = try STOMPHeartbeat(parsing: value)
            } catch {
                return self.error(error.description, frame: frame)
            }
        }
        clientID = frame.header("client-id")
        state = .admitting
        return [.admit(login: frame.header("login"), passcode: frame.header("passcode"), clientID: clientID)]
    }

    /// Admission succeeded: CONNECTED goes out and heart-beating starts.
    public mutating func connectAdmitted(sessionID: String, now: Int64) -> [STOMPAction] {
        guard state == .admitting else { return [] }
        state = .connected
        var headers: [STOMPHeader] = [STOMPHeader("version", version.rawValue), STOMPHeader("session", sessionID),
                                      STOMPHeader("server", configuration.serverName)]
        if version != .v1_0 {
            let (send, receive) = STOMPHeartbeat.negotiate(local: configuration.heartbeat, remote: requestedHeartbeat)
            sendInterval = send
            receiveInterval = receive
            headers.append(STOMPHeader("heart-beat", STOMPHeartbeat(outgoing: send, incoming: receive).headerValue))
        }
        lastReceived = now
        lastSent = now
        return [.send(STOMPFrame(.connected, headers: headers))]
    }

    public mutating func connectRefused(_ message: String) -> [STOMPAction] {
        guard state == .admitting else { return [] }
        return error(message, frame: nil)
    }

    // MARK: - Connected frames

    private mutating func connected(_ frame: STOMPFrame) -> [STOMPAction] {
        let receipt = frame.header("receipt")
        if !frame.command.mayHaveBody && frame.body.readableBytes > 0 {
            return error("\(frame.command) frames must not have a body", frame: frame)
        }
        switch frame.command {
        case .connect, .stomp:
            return error("Already connected", frame: frame)
        case .send:
            guard frame.header("destination")?.isEmpty == false else {
                return error("SEND frame has no destination header", frame: frame)
            }
            let tx = frame.header("transaction")
            if let tx, !transactions.contains(tx) { return error("Unknown transaction \(tx)", frame: frame) }
            return [.publish(frame, transaction: tx, receipt: receipt)]
        case .subscribe:
            return subscribe(frame, receipt: receipt)
        case .unsubscribe:
            return unsubscribe(frame, receipt: receipt)
        case .ack, .nack:
            return acknowledge(frame, receipt: receipt)
        case .begin, .commit, .abort:
            return transaction(frame, receipt: receipt)
        case .disconnect:
            state = .disconnecting
            return [.disconnect(receipt: receipt)]
        case .connected, .message, .receipt, .error:
            return error("\(frame.command) is a server frame", frame: frame)
        }
    }

    private mutating func subscribe(_ frame: STOMPFrame, receipt: String?) -> [STOMPAction] {
        guard let destination = frame.header("destination"), !destination.isEmpty else {
            return error("SUBSCRIBE frame has no destination header", frame: frame)
        }
        // 1.0 made the id optional; then the destination names the subscription.
        guard let id = frame.header("id") ?? (version == .v1_0 ? destination : nil) else {
            return error("SUBSCRIBE frame has no id header", frame: frame)
        }
        guard subscriptions[id] == nil else { return error("Subscription id \(id) is already in use", frame: frame) }
        let ackValue = frame.header("ack") ?? "auto"
        guard let ack = STOMPSubscription.AckMode(rawValue: ackValue) else {
            return error("Unknown ack mode \(ackValue)", frame: frame)
        }
        var prefetch: Int?
        if let p = frame.header("activemq.prefetchSize") {
            guard let n = Int(p), n >= 0 else { return error("Invalid activemq.prefetchSize \(p)", frame: frame) }
            prefetch = n
        }
        let durable = frame.header("activemq.subscriptionName") ?? frame.header("durable-subscription-name")
        if durable != nil && clientID == nil {
            return error("A durable subscription needs a client-id on CONNECT", frame: frame)
        }
        let subscription = STOMPSubscription(
            id: id, destination: destination, ackMode: ack, selector: frame.header("selector"), prefetch: prefetch,
            durableName: durable, exclusive: frame.header("activemq.exclusive") == "true",
            noLocal: frame.header("activemq.noLocal") == "true" || frame.header("no-local") == "true",
            browser: frame.header("browser") == "true")
        subscriptions[id] = subscription
        return [.subscribe(subscription, receipt: receipt)]
    }

    private mutating func unsubscribe(_ frame: STOMPFrame, receipt: String?) -> [STOMPAction] {
        let durable = frame.header("activemq.subscriptionName") ?? frame.header("durable-subscription-name")
        let id = frame.header("id") ?? (version == .v1_0 ? frame.header("destination") : nil)
        if let id, let subscription = subscriptions.removeValue(forKey: id) {
            pending = pending.filter { $0.value.subscriptionID != id }
            var actions: [STOMPAction] = [.unsubscribe(subscription, receipt: durable == nil ? receipt : nil)]
            if let durable { actions.append(.removeDurable(name: durable, receipt: receipt)) }
            return actions
        }
        if let durable {
            guard clientID != nil else { return error("Removing a durable subscription needs a client-id on CONNECT", frame: frame) }
            return [.removeDurable(name: durable, receipt: receipt)]
        }
        guard let id else { return error("UNSUBSCRIBE frame has no id header", frame: frame) }
        return error("No subscription with id \(id)", frame: frame)
    }

    private mutating func acknowledge(_ frame: STOMPFrame, receipt: String?) -> [STOMPAction] {
        let tx = frame.header("transaction")
        if let tx, !transactions.contains(tx) { return error("Unknown transaction \(tx)", frame: frame) }
        let found: Pending?
        switch version {
        case .v1_2:
            guard let id = frame.header("id") else { return error("\(frame.command) frame has no id header", frame: frame) }
            found = pending[id]
        case .v1_1:
            guard let messageID = frame.header("message-id") else { return error("\(frame.command) frame has no message-id header", frame: frame) }
            let subscription = frame.header("subscription")
            found = pending.values.filter { $0.messageID == messageID && (subscription == nil || $0.subscriptionID == subscription) }
                .min { $0.sequence < $1.sequence }
        case .v1_0:
            guard let messageID = frame.header("message-id") else { return error("ACK frame has no message-id header", frame: frame) }
            found = pending.values.filter { $0.messageID == messageID }.min { $0.sequence < $1.sequence }
        }
        guard let found, let subscription = subscriptions[found.subscriptionID] else {
            return error("\(frame.command) of a message that is not waiting for one", frame: frame)
        }
        // `client` acks are cumulative; a NACK is never cumulative.
        let covered: [Pending]
        if subscription.ackMode == .client && frame.command == .ack {
            covered = pending.values.filter { $0.subscriptionID == found.subscriptionID && $0.sequence <= found.sequence }
                .sorted { $0.sequence < $1.sequence }
        } else {
            covered = [found]
        }
        for p in covered { pending["\(p.sequence)"] = nil }
        let target = STOMPAckTarget(subscriptionID: found.subscriptionID, tags: covered.map(\.tag))
        return frame.command == .ack ? [.ack(target, transaction: tx, receipt: receipt)] : [.nack(target, transaction: tx, receipt: receipt)]
    }

    private mutating func transaction(_ frame: STOMPFrame, receipt: String?) -> [STOMPAction] {
        guard let tx = frame.header("transaction"), !tx.isEmpty else {
            return error("\(frame.command) frame has no transaction header", frame: frame)
        }
        switch frame.command {
        case .begin:
            guard transactions.insert(tx).inserted else { return error("Transaction \(tx) is already open", frame: frame) }
            return [.begin(tx, receipt: receipt)]
        case .commit:
            guard transactions.remove(tx) != nil else { return error("Unknown transaction \(tx)", frame: frame) }
            return [.commit(tx, receipt: receipt)]
        default:
            guard transactions.remove(tx) != nil else { return error("Unknown transaction \(tx)", frame: frame) }
            return [.abort(tx, receipt: receipt)]
        }
    }

    // MARK: - Results of core verbs

    public mutating func completed(receipt: String?) -> [STOMPAction] {
        var actions: [STOMPAction] = []
        if let receipt, state == .connected || state == .disconnecting {
            actions.append(.send(STOMPFrame(.receipt, ["receipt-id": receipt])))
        }
        if state == .disconnecting {
            state = .closed
            actions.append(.close)
        }
        return actions
    }

    public mutating func failed(_ message: String, receipt: String?) -> [STOMPAction] {
        guard state == .connected || state == .disconnecting else { return [] }
        var frame = STOMPFrame(.error, ["message": message])
        if let receipt { frame.headers.append(STOMPHeader("receipt-id", receipt)) }
        state = .closed
        return [.send(frame), .close]
    }

    // MARK: - Deliveries

    /// A MESSAGE for subscription `subscriptionID` (headers and body already mapped from the core
    /// message); `tag` is the core's delivery tag when the subscription must acknowledge it.
    public mutating func deliver(_ frame: STOMPFrame, subscriptionID: String, messageID: String, tag: UInt64?) -> [STOMPAction] {
        guard state == .connected, let subscription = subscriptions[subscriptionID] else { return [] }
        var frame = frame
        frame.setHeader("subscription", subscriptionID)
        frame.setHeader("message-id", messageID)
        if subscription.ackMode != .auto {
            let sequence = nextSequence
            nextSequence += 1
            // Topic deliveries have no core tag: their acks are accepted and settle nothing.
            pending["\(sequence)"] = Pending(subscriptionID: subscriptionID, tag: tag ?? 0, messageID: messageID, sequence: sequence)
            if version == .v1_2 { frame.setHeader("ack", "\(sequence)") }
        }
        return [.send(frame)]
    }

    /// Unacknowledged deliveries, for tests and diagnostics.
    public var unacknowledgedCount: Int { pending.count }

    // MARK: - Time

    public mutating func tick(now: Int64) -> [STOMPAction] {
        if state == .awaitingConnect && now - openedAt > configuration.connectTimeoutMillis {
            // Silent since the socket opened: a half-open or idle client holding a connection slot.
            state = .closed
            return [.close]
        }
        guard state == .connected else {
            return []
        }
        if receiveInterval > 0 && Double(now - lastReceived) > Double(receiveInterval) * configuration.heartbeatGrace {
            state = .closed
            return [.close]
        }
        if sendInterval > 0 && now - lastSent >= Int64(sendInterval) {
            lastSent = now
            return [.heartbeat]
        }
        return []
    }

    // MARK: - Errors

    private mutating func error(_ message: String, frame: STOMPFrame?) -> [STOMPAction] {
        var error = STOMPFrame(.error, ["message": message])
        if let receipt = frame?.header("receipt") { error.headers.append(STOMPHeader("receipt-id", receipt)) }
        state = .closed
        return [.send(error), .close]
    }
}
