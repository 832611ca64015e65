import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierAMQP
import PierCore
import PierPersistence
import PierStore

/// A running bridge: forwards what its tap stored in the log to the upstream pair over AMQP 1.0, reading
/// the log through a durable cursor that advances only on `accepted`, and carries downstream commands
/// into local topics. Everything mutable is confined to the bridge's own event loop, which is also where
/// the (briefly blocking) log reads happen, so broker loops are never held up.
public final class Bridge: @unchecked Sendable {
    public let configuration: BridgeConfiguration
    public let tap: BridgeTap
    let broker: Broker
    private let log: SegmentLog
    private let commits: (@Sendable (@escaping @Sendable () -> Void) -> Void)?
    private let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let logger: Logger

    // Confined to `loop`.
    private var selector: UplinkSelector
    private var connection: AMQPConnection?
    var connectionGeneration = 0
    private var senders: [String: EventLoopFuture<AMQPSender>] = [:]
    var receivers: [AMQPReceiver] = []
    var cursor: LogCursor
    private var reader: LogReader?
    /// Offsets read but not yet finished, in log order, with whether each is done. A ring, so dropping
    /// the finished prefix is not a shift of everything behind it.
    private var window: ForwardingWindow
    /// Upstream address per local topic, so the forward rules' wildcards are matched once per topic.
    private var addresses: [String: String?] = [:]
    private var pumpScheduled = false
    private var waitingForCommit = false
    private var lastAcknowledge: Int64 = 0
    private var pendingAcknowledge: UInt64?
    var forwarded = 0
    var deadLettered = 0
    var droppedLogged = 0
    var connectedAddress: String?
    private var drainTokens = 0.0
    private var drainRefilled: Int64 = 0
    private var stopped = false
    /// Set by the admin API: nothing new is sent (the tap keeps storing); settlements still finish.
    var paused = false
    private var sysTask: RepeatedTask?

    /// `commits` tells the bridge when new records are in the log, so it reads as soon as they are.
    public init(configuration: BridgeConfiguration, broker: Broker, log: SegmentLog,
                commits: (@Sendable (@escaping @Sendable () -> Void) -> Void)? = nil, logger: Logger) throws {
        precondition(!configuration.uplink.addresses.isEmpty, "a bridge needs at least one upstream address")
        self.configuration = configuration
        self.window = ForwardingWindow(size: configuration.window)
        self.broker = broker
        self.log = log
        self.commits = commits
        self.logger = logger
        self.tap = BridgeTap(configuration: configuration)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = group.next()
        let u = configuration.uplink
        self.selector = UplinkSelector(addressCount: u.addresses.count, initialDelayMillis: u.reconnectInitialDelayMillis,
                                       maxDelayMillis: u.reconnectMaxDelayMillis, jitter: u.jitter,
                                       failbackAfterMillis: Int64(u.failbackAfterSeconds) * 1000,
                                       probeIntervalMillis: max(250, min(5_000, u.failbackAfterSeconds * 250)))
        self.cursor = try log.cursor(named: "bridge-\(configuration.name)")
    }

    /// Counts what is still to send (a restart resumes from the cursor), registers the tap, and connects.
    public func start() throws {
        let backlog = try countBacklog()
        tap.restoreBacklog(messages: backlog.messages, bytes: backlog.bytes)
        broker.addTap(tap)
        logger.info("bridge starting", metadata: ["bridge": "\(configuration.name)", "backlog": "\(backlog.messages)",
                                                 "cursor": "\(cursor.nextOffset)"])
        loop.execute { [self] in
            let action = selector.start()
            perform(action)
            sysTask = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(5)) { [self] _ in publishState() }
        }
    }

    public func stop() {
        try? loop.submit { [self] in
            stopped = true
            sysTask?.cancel()
            flushAcknowledge(force: true)
            return connection?.close() ?? loop.makeSucceededVoidFuture()
        }.wait().wait()
        try? group.syncShutdownGracefully()
    }

    private func countBacklog() throws -> (messages: Int, bytes: Int) {
        let reader = try cursor.reader()
        var messages = 0, bytes = 0
        while let record = try reader.next() {
            for m in try taken(record) {
                messages += 1
                bytes += m.payload.readableBytes
            }
        }
        return (messages, bytes)
    }

    /// The messages in a log record that this bridge's tap took.
    private func taken(_ record: LogRecord) throws -> [Message] {
        var payload = record.payload
        return try StorageRecordCodec.decodeAll(&payload).compactMap { r in
            guard case .published(let m, let targets) = r, targets.contains(where: { $0.clientID == tap.targetID }) else { return nil }
            return m
        }
    }

    // MARK: - Uplink

    private func perform(_ action: UplinkSelector.Action) {
        guard !stopped else { return }
        switch action {
        case .connect(let index, let delay):
            loop.scheduleTask(in: .milliseconds(Int64(delay))) { [self] in connect(index: index) }
        case .probePrimary(let delay):
            loop.scheduleTask(in: .milliseconds(Int64(delay))) { [self] in probePrimary() }
        case .failBack:
            logger.info("bridge failing back to the primary", metadata: ["bridge": "\(configuration.name)"])
            dropConnection()
            connect(index: 0)
        }
    }

    private func connect(index: Int) {
        guard !stopped, connection == nil else { return }
        let endpoint = configuration.uplink.addresses[index]
        let u = configuration.uplink
        connectionGeneration += 1
        let generation = connectionGeneration
        AMQPConnection.connect(host: endpoint.host, port: endpoint.port, user: u.username, password: u.password,
                               containerID: u.containerID, tls: u.tls, group: loop,
                               onConnectionLost: { [self] error in
                                   loop.execute { self.connectionLost(generation: generation, error: "\(error)") }
                               })
            .hop(to: loop)
            .whenComplete { [self] result in
                switch result {
                case .success(let c):
                    guard generation == connectionGeneration, !stopped else {
                        _ = c.close()
                        return
                    }
                    connection = c
                    connectedAddress = endpoint.description
                    // However the connection ends (a peer close without an error included), the bridge
                    // must notice; closes we start ourselves bump the generation first and are ignored.
                    c.closeFuture.whenComplete { [self] result in
                        let reason: String
                        switch result {
                        case .success(.some(let error)): reason = "\(error)"
                        case .success(.none): reason = "connection closed"
                        case .failure(let error): reason = "\(error)"
                        }
                        loop.execute { self.connectionLost(generation: generation, error: reason) }
                    }
                    logger.info("bridge connected", metadata: ["bridge": "\(configuration.name)", "address": "\(endpoint)",
                                                               "transport": "\(u.tls == nil ? "amqp" : "amqps")"])
                    for a in selector.connectSucceeded(now: BrokerClock.nowMillis()) { perform(a) }
                    openDownstream(on: c)
                    restartForwarding()
                    publishState()
                case .failure(let error):
                    guard generation == connectionGeneration else { return }
                    logger.warning("bridge connect failed", metadata: ["bridge": "\(configuration.name)", "address": "\(endpoint)",
                                                                       "error": "\(error)"])
                    perform(selector.connectionFailed(now: BrokerClock.nowMillis()))
                }
            }
    }

    private func connectionLost(generation: Int, error: String) {
        guard generation == connectionGeneration, connection != nil else { return }
        logger.warning("bridge connection lost", metadata: ["bridge": "\(configuration.name)", "address": "\(connectedAddress ?? "-")",
                                                            "error": "\(error)"])
        dropConnection()
        publishState()
        perform(selector.connectionFailed(now: BrokerClock.nowMillis()))
    }

    /// Forgets the connection and everything in flight on it; unacknowledged messages are read again.
    private func dropConnection() {
        connectionGeneration += 1
        _ = connection?.close()
        connection = nil
        connectedAddress = nil
        senders = [:]
        receivers = []
        reader = nil
        window.reset()
    }

    private func probePrimary() {
        guard !stopped, connection != nil, selector.current != 0 else { return }
        let endpoint = configuration.uplink.addresses[0]
        let u = configuration.uplink
        AMQPConnection.connect(host: endpoint.host, port: endpoint.port, user: u.username, password: u.password,
                               containerID: u.containerID + "-probe", tls: u.tls, group: loop)
            .flatMap { $0.close() }
            .hop(to: loop)
            .whenComplete { [self] result in
                let healthy: Bool
                if case .success = result { healthy = true } else { healthy = false }
                if let action = selector.probeResult(healthy: healthy, now: BrokerClock.nowMillis()) { perform(action) }
            }
    }

    // MARK: - Forwarding

    private func restartForwarding() {
        do {
            reader = try cursor.reader()
        } catch {
            logger.error("bridge cannot read its log cursor", metadata: ["bridge": "\(configuration.name)", "error": "\(error)"])
            return
        }
        window.restart()
        pump()
    }

    private func schedulePump(in delay: TimeAmount) {
        guard !pumpScheduled else { return }
        pumpScheduled = true
        loop.scheduleTask(in: delay) { [self] in
            pumpScheduled = false
            pump()
        }
    }

    /// Reads and sends until the window is full, the log is exhausted, or the drain pace says wait.
    func pump() {
        guard !stopped, !paused, let connection, let reader else { return }
        let generation = connectionGeneration
        while window.hasRoom {
            if configuration.drainRate > 0 && !takeDrainToken() {
                schedulePump(in: .milliseconds(10))
                break
            }
            let record: LogRecord?
            do {
                record = try reader.next()
            } catch {
                logger.error("bridge log read failed", metadata: ["bridge": "\(configuration.name)", "error": "\(error)"])
                schedulePump(in: .seconds(1))
                return
            }
            guard let record else {
                waitForCommits()
                break
            }
            let messages = (try? taken(record)) ?? []
            let bytes = messages.reduce(0) { $0 + $1.payload.readableBytes }
            window.track(record.offset)
            guard let message = messages.first else {
                finish(record.offset)
                continue
            }
            if tap.takeOwedDrop() {
                logger.debug("bridge dropped the oldest message", metadata: ["bridge": "\(configuration.name)", "topic": "\(message.topic)"])
                tap.completed(bytes: bytes)
                finish(record.offset)
                continue
            }
            guard let address = address(for: message) else {
                tap.completed(bytes: bytes)
                finish(record.offset)
                continue
            }
            send(message, to: address, offset: record.offset, bytes: bytes, connection: connection, generation: generation)
        }
        flushAcknowledge(force: false)
    }

    private func address(for message: Message) -> String? {
        // Retained publishes may match a different rule (a rule can leave them out), so they skip the cache.
        if !message.retain, let cached = addresses[message.topic] { return cached }
        let address = tap.rule(for: message).map { TopicTemplate.render($0.0.address, captures: $0.1) }
        if !message.retain {
            if addresses.count >= 10_000 { addresses.removeAll(keepingCapacity: true) }
            addresses[message.topic] = address
        }
        return address
    }

    /// Caught up with the log: read again when the next append commits (a slow poll stays as a safety net).
    private func waitForCommits() {
        guard let commits else {
            schedulePump(in: .milliseconds(10))
            return
        }
        if !waitingForCommit {
            waitingForCommit = true
            commits { [self] in
                loop.execute {
                    self.waitingForCommit = false
                    self.pump()
                }
            }
        }
        schedulePump(in: .milliseconds(500))
    }

    private func takeDrainToken() -> Bool {
        let now = BrokerClock.nowMillis()
        let rate = Double(configuration.drainRate)
        drainTokens = min(rate / 10, drainTokens + Double(now - drainRefilled) * rate / 1000)
        drainRefilled = now
        guard drainTokens >= 1 else { return false }
        drainTokens -= 1
        return true
    }

    private func sender(for address: String, on connection: AMQPConnection) -> EventLoopFuture<AMQPSender> {
        if let existing = senders[address] { return existing }
        // Durable termini: RabbitMQ declares /queue/ targets from them and refuses a mismatch with a durable queue.
        let future = connection.openSender(address: address, durable: true)
        senders[address] = future
        future.whenFailure { [logger, name = configuration.name] error in
            // Typically a refused target (RabbitMQ: a /queue/ whose arguments differ; use /amq/queue/ for queues
            // declared upstream). The peer usually ends the session too, and the bridge reconnects with backoff.
            logger.warning("bridge cannot attach to the upstream address",
                           metadata: ["bridge": "\(name)", "address": "\(address)", "error": "\(error)"])
        }
        return future
    }

    private func send(_ message: Message, to address: String, offset: UInt64, bytes: Int, connection: AMQPConnection, generation: Int) {
        window.transferSent()
        let amqp = Self.amqpMessage(from: message)
        sender(for: address, on: connection)
            .flatMap { $0.send(amqp) }
            .hop(to: loop)
            .whenComplete { [self] result in
                guard generation == connectionGeneration else { return }
                window.transferSettled()
                switch result {
                case .success(.accepted):
                    forwarded += 1
                    tap.completed(bytes: bytes)
                    finish(offset)
                case .success(.rejected(let error)):
                    deadLettered += 1
                    logger.warning("upstream rejected a message; dead-lettered",
                                   metadata: ["bridge": "\(configuration.name)", "topic": "\(message.topic)", "error": "\(String(describing: error))"])
                    var dead = message
                    dead.destination = .topic(configuration.deadLetterTopic)
                    dead.retain = false
                    dead.origin = tap.targetID
                    dead.userProperties.append(UserProperty("original-topic", message.topic))
                    broker.publish(dead)
                    tap.completed(bytes: bytes)
                    finish(offset)
                case .success(.released), .success(.modified):
                    // The peer could not take it now: try again shortly, keeping the cursor where it is.
                    loop.scheduleTask(in: .milliseconds(200)) { [self] in
                        guard generation == connectionGeneration, let c = self.connection else { return }
                        send(message, to: address, offset: offset, bytes: bytes, connection: c, generation: generation)
                    }
                    return
                case .failure(let error):
                    // The link or connection failed; the connection-lost path resends everything unacknowledged.
                    logger.debug("bridge send failed", metadata: ["bridge": "\(configuration.name)", "error": "\(error)"])
                    if case .some = senders[address] { senders[address] = nil }
                    return
                }
                if window.wantsRefill { pump() }
            }
    }

    /// The cursor never passes a message that upstream has not accepted.
    private func finish(_ offset: UInt64) {
        if let advanced = window.finish(offset) { pendingAcknowledge = advanced }
    }

    /// Persists the cursor at most every 100 ms: each write is a small file replaced atomically.
    private func flushAcknowledge(force: Bool) {
        guard let offset = pendingAcknowledge else { return }
        let now = BrokerClock.nowMillis()
        guard force || now - lastAcknowledge >= 100 else {
            schedulePump(in: .milliseconds(100))
            return
        }
        do {
            try cursor.acknowledge(upTo: offset)
            pendingAcknowledge = nil
            lastAcknowledge = now
        } catch {
            logger.error("bridge cursor write failed", metadata: ["bridge": "\(configuration.name)", "error": "\(error)"])
        }
    }

    static func amqpMessage(from m: Message) -> AMQPMessage {
        var application = AMQPMap()
        application.entries.append(.init(key: .string("mqtt-topic"), value: .string(m.topic)))
        application.entries.append(.init(key: .string("mqtt-qos"), value: .ubyte(m.qos.rawValue)))
        if m.retain { application.entries.append(.init(key: .string("mqtt-retain"), value: .boolean(true))) }
        for p in m.userProperties { application.entries.append(.init(key: .string(p.name), value: .string(p.value))) }
        var properties = AMQPMessageProperties(subject: m.topic)
        properties.contentType = m.contentType
        properties.replyTo = m.responseTopic
        properties.correlationID = m.correlationData.map { .binary(ByteBuffer(bytes: $0)) }
        // A string id: RabbitMQ 3.10 copies it into AMQP 0-9-1's message_id, which must be a string
        // (a ulong crashes its 0-9-1 writer).
        if let id = m.id { properties.messageID = .string(String(id)) }
        var amqp = AMQPMessage(header: AMQPMessageHeader(durable: true), properties: properties, applicationProperties: application,
                               body: .data([m.payload]))
        amqp.header?.ttl = m.remainingExpirySeconds(now: BrokerClock.nowMillis()).map { $0 * 1000 }
        return amqp
    }
}
