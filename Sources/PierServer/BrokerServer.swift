import Dispatch
import Logging
import NIOConcurrencyHelpers
import PierAdmin
import NIOCore
import NIOPosix
import NIOSSL
import PierAMQP
import PierAuth
import PierBridge
import PierCore
import PierMetrics
import PierMQTT
import PierOpenWire
import PierSTOMP
import PierConnection
import PierPersistence
import PierStore
import PierTransport
import PierWebSocket

#if canImport(Glibc)
import Glibc
#endif

/// Wires a `PierConfig` into a running broker: event loops, core, auth, listeners, `$SYS` and systemd.
public final class BrokerServer: Sendable {
    public let config: PierConfig
    public let broker: Broker
    let group: MultiThreadedEventLoopGroup

    /// Every event loop of the broker, for the systemd watchdog's liveness probe (`LoopWatchdog`).
    public var eventLoops: [any EventLoop] { group.makeIterator().map { $0 } }
    let logger: Logger
    private let authenticator: any Authenticator
    /// Every open client connection, for the admin API.
    public let connections = ConnectionRegistry()
    /// The password file's authenticator and the ACL file's authorizer, for the admin API's Basic auth
    /// and `admin` grants; nil when the file is not configured.
    let passwordAuthenticator: PasswordFileAuthenticator?
    let aclAuthorizer: ACLAuthorizer?
    /// The HTTP listener's TLS context, built once like the listeners'.
    let httpTLSContext: NIOSSLContext?
    private let logStorage: LogStorage?
    /// One per listener, in config order: the TLS context of a `transport: tls` listener, built once here.
    private let tlsContexts: [NIOSSLContext?]
    let state = NIOLockedValueBox(Handles())
    /// Temporary destinations, advisory subscribers and client ids of every OpenWire listener.
    private let openWireState = OpenWireBrokerState()

    /// Listener and timer handles, guarded because start and shutdown may run on different threads.
    struct Handles: Sendable {
        var listeners: [TCPListener] = []
        /// What the admin API lists: each listener with its bound port.
        var bound: [AdminContext.Listener] = []
        var startedAt: Int64 = 0
        var httpPort: Int?
        var tasks: [RepeatedTask] = []
        var bridges: [Bridge] = []
    }

    /// `$SYS/broker/ha/role`: "active" for a pair member that holds the directory, "standalone" without a log.
    let haRole: String
    /// Every number the broker keeps: `/metrics`, `$SYS` and the admin API read it.
    let metrics = BrokerMetrics(registry: MetricsRegistry(durationBuckets: StoreMetricBuckets.durations,
                                                          valueBuckets: StoreMetricBuckets.values))
    public var metricsRegistry: MetricsRegistry { metrics.registry }

    /// `repair` lets recovery cut away mid-log corruption instead of refusing to start. `fence` is asked
    /// before every write to the data directory (the active's lease, see `PierHA.ActiveLease`).
    public init(config: PierConfig, repair: Bool = false, fence: (any WriteFence)? = nil,
                logger: Logger = Logger(label: "pier")) throws {
        self.config = config
        self.logger = logger
        self.haRole = config.storage.engine == .log ? "active" : "standalone"
        self.tlsContexts = try config.listeners.enumerated().map { index, listener in
            try listener.tls.map { try Self.makeTLSContext($0, keyPath: "listeners[\(index)].tls") }
        }
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        self.httpTLSContext = try config.http?.tls.map { try Self.makeTLSContext($0, keyPath: "http.tls") }
        let authorizer: any Authorizer
        if let acl = config.auth.aclFile {
            let acl = try ACLAuthorizer(path: acl)
            aclAuthorizer = acl
            authorizer = acl
        } else {
            aclAuthorizer = nil
            authorizer = AllowAllAuthorizer()
        }
        if let passwords = config.auth.passwordFile {
            let file = try PasswordFileAuthenticator(path: passwords)
            passwordAuthenticator = file
            authenticator = file
        } else {
            passwordAuthenticator = nil
            authenticator = AnonymousAuthenticator()
        }
        // Offline persistent queues live in the log and are bounded by bytes; `max_queued_messages`
        // bounds only a connected client's in-memory backlog (MQTTServerConfiguration.maxQueued).
        let limits = BrokerLimits(maxQueuedBytes: config.limits.maxQueuedBytes, maxSessionExpiry: config.limits.maxSessionExpiry)
        let storage: any BrokerStorage
        switch config.storage.engine {
        case .memory:
            storage = InMemoryStorage()
            logStorage = nil
        case .log:
            // A message must fit one log batch (64 MiB uncompressed) with room for its session records.
            let largest = 30 << 20
            guard config.limits.maxPacketSize <= largest else {
                throw ConfigError.invalid(file: nil, keyPath: "limits.max_packet_size",
                                          problem: "must be at most \(largest) with storage.engine log")
            }
            try Self.makeDirectory(config.dataDir)
            var options = LogStorage.Options()
            switch config.storage.fsync {
            case .always: options.log.fsync = .always
            case .interval: options.log.fsync = .interval(milliseconds: config.storage.fsyncInterval)
            case .never: options.log.fsync = .never
            }
            options.log.segmentMaxBytes = Int64(config.storage.segmentMaxBytes)
            // Without fsync per batch, a power cut can leave a half-written batch before a whole one, which
            // looks like mid-log damage; only `always` can promise that never happens, so the others repair.
            options.log.repair = repair || config.storage.fsync != .always
            // One broker append is one log record and must never be refused for size.
            options.log.maxRecordBytes = max(options.log.maxRecordBytes, config.limits.maxPacketSize * 2 + (1 << 20))
            options.log.logger = logger
            options.log.fence = fence
            options.log.onRecoveryProgress = { [logger] p in
                logger.info("recovering log", metadata: [
                    "segment": "\(p.segmentIndex + 1)/\(p.segmentCount)",
                    "scanned": "\(p.bytesScanned >> 20) MiB of \(p.totalBytes >> 20) MiB"])
            }
            options.checkpointEveryRecords = config.storage.checkpointRecords
            options.log.metrics = metrics.registry.factory
            let recoveryStart = DispatchTime.now().uptimeNanoseconds
            let log = try LogStorage(directory: config.dataDir + "/log", options: options, logger: logger)
            metrics.recovered(inSeconds: Double(DispatchTime.now().uptimeNanoseconds - recoveryStart) / 1e9)
            storage = log
            logStorage = log
        }
        broker = Broker(group: group, storage: storage, authorizer: authorizer, limits: limits,
                        queuePolicies: config.queues.resolved, logger: logger, metrics: metrics.registry.factory)
    }

    private var mqttConfiguration: MQTTServerConfiguration {
        let l = config.limits
        return MQTTServerConfiguration(
            maximumPacketSize: l.maxPacketSize, receiveMaximum: l.receiveMaximum, maxInflight: Int(l.maxInflight),
            maxQueued: l.maxQueuedMessages, maxKeepAlive: l.maxKeepalive, topicAliasMaximum: l.topicAliasMaximum,
            maxSessionExpiry: l.maxSessionExpiry, connectTimeoutMillis: Int64(l.connectTimeout) * 1000)
    }

    /// Connections the process can really hold: the configured limit, kept below the open-file limit so the
    /// connection after the last one is refused with a CONNACK rather than failing in accept().
    private var effectiveMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(Int32.max) else {
            return config.limits.maxConnections
        }
        // Room for the log segments, listeners, event loop plumbing and the refused clients themselves.
        let ceiling = max(16, Int(limit.rlim_cur) - 128)
        if config.limits.maxConnections > ceiling {
            logger.warning("limits.max_connections lowered to fit the open-file limit",
                           metadata: ["configured": "\(config.limits.maxConnections)", "effective": "\(ceiling)",
                                      "RLIMIT_NOFILE": "\(limit.rlim_cur)"])
            return ceiling
        }
        return config.limits.maxConnections
    }

    /// Restores state and binds every listener. Returns the bound ports in listener order.
    @discardableResult
    public func start() throws -> [Int] {
        let maxConnections = effectiveMaxConnections
        let startedAt = BrokerClock.nowMillis()
        state.withLockedValue { $0.startedAt = startedAt }
        metrics.install(broker: broker, log: logStorage?.log, haRole: haRole, version: SysTopicsPublisher.version,
                        startedAtMillis: startedAt, bridges: { [state] in state.withLockedValue { $0.bridges } })
        try broker.restore()
        broker.queues.startHousekeeping()
        try startBridges()
        var ports: [Int] = []
        for (listener, tls) in zip(config.listeners, tlsContexts) {
            let bound = try TCPListener.bind(host: listener.bind, port: listener.port, group: group, tls: tls,
                                             childInitializer: channelInitializer(for: listener, maxConnections: maxConnections)).wait()
            let port = bound.localPort ?? listener.port
            state.withLockedValue {
                $0.listeners.append(bound)
                $0.bound.append(.init(name: listener.name, protocolName: listener.protocol.rawValue,
                                      transport: listener.transport.rawValue, bind: listener.bind, port: port))
            }
            ports.append(port)
            logger.info("listening", metadata: ["listener": "\(listener.name)", "protocol": "\(listener.protocol.rawValue)",
                                               "transport": "\(listener.transport.rawValue)", "address": "\(listener.bind):\(port)"])
        }
        try startHTTP()
        if config.sys.interval > 0 {
            let sys = SysTopicsPublisher(broker: broker, metrics: metrics.registry, startedAt: startedAt, haRole: haRole)
            let task = sys.start(on: group.next(), intervalSeconds: config.sys.interval)
            state.withLockedValue { $0.tasks.append(task) }
        }
        return ports
    }

    /// What each accepted connection of `listener` gets: its protocol's one handler, behind the WebSocket
    /// layer on ws/wss listeners (TLS, when there is one, is added in front by `TCPListener`).
    private func channelInitializer(for listener: PierConfig.Listener, maxConnections: Int) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        let common = ListenerContext(name: listener.name, broker: broker, authenticator: authenticator,
                                     allowAnonymous: listener.allowAnonymous, maxConnections: maxConnections, logger: logger,
                                     registry: connections, protocolName: listener.protocol.rawValue)
        let mqtt = MQTTListenerContext(common: common, configuration: mqttConfiguration)
        let stomp = STOMPListenerContext(common: common, machine: .init(connectTimeoutMillis: Int64(config.limits.connectTimeout) * 1000))
        let makeHandler: @Sendable (WebSocketProtocolChoice.Family, String?) -> any ChannelHandler = { family, address in
            switch family {
            case .mqtt:
                let h = MQTTChannelHandler(listener: mqtt)
                if let address { h.reportClientAddress(address) }
                return h
            case .stomp:
                let h = STOMPChannelHandler(listener: stomp)
                if let address { h.reportClientAddress(address) }
                return h
            }
        }
        if listener.protocol == .openwire {
            // Config parsing allows OpenWire on tcp and tls only.
            let openwire = OpenWireListenerContext(
                common: common,
                machine: .init(maxFrameSize: listener.maxMessageSize, connectTimeoutMillis: Int64(config.limits.connectTimeout) * 1000,
                               brokerId: "ID:pier-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36)),
                shared: openWireState)
            return { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OpenWireChannelHandler(listener: openwire))
                }
            }
        }
        if listener.protocol == .amqp {
            // Config parsing allows AMQP on tcp and tls only.
            let amqp = AMQPListenerContext(common: common, configuration: AMQPServerConfiguration(
                containerID: "pier-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36),
                connectTimeoutMillis: Int64(config.limits.connectTimeout) * 1000, maxMessageSize: listener.maxMessageSize))
            return { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AMQPServerHandler(listener: amqp))
                }
            }
        }
        guard listener.transport.isWebSocket else {
            let family: WebSocketProtocolChoice.Family = listener.protocol == .stomp ? .stomp : .mqtt
            return { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler(family, nil))
                }
            }
        }
        let fixed: WebSocketProtocolChoice.Family?
        switch listener.protocol {
        case .mqtt: fixed = .mqtt
        case .stomp, .openwire, .amqp: fixed = .stomp
        case .auto: fixed = nil
        }
        let options = WebSocketOptions(path: listener.path, allowedOrigins: listener.allowedOrigins, trustProxy: listener.trustProxy,
                                       maxMessageSize: listener.maxMessageSize, fixed: fixed,
                                       handshakeTimeout: .seconds(Int64(config.limits.connectTimeout)))
        return { channel in
            WebSocketPipeline.configure(channel, options: options) { channel, info in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler(info.choice.family, info.forwardedFor))
                }
            }
        }
    }

    /// Bridges start before any listener, so their taps see every publish from the first client on.
    private func startBridges() throws {
        guard !config.bridges.isEmpty else { return }
        guard let logStorage else {
            throw ConfigError.invalid(file: nil, keyPath: "bridges", problem: "bridges buffer in the log: they need storage.engine log")
        }
        for path in config.bridges {
            let bridge = try Bridge(configuration: try BridgeFile.load(path: path), broker: broker, log: logStorage.log,
                                    commits: { [logStorage] wake in logStorage.notifyOnNextCommit(wake) }, logger: logger)
            try bridge.start()
            state.withLockedValue { $0.bridges.append(bridge) }
        }
    }

    public var bridges: [Bridge] { state.withLockedValue { $0.bridges } }

    /// Closes listeners, tells every client the server is going away, then stops the event loops.
    public func shutdown() {
        let (listeners, tasks, bridges) = state.withLockedValue { s in
            defer { s.listeners = []; s.tasks = []; s.bridges = [] }
            return (s.listeners, s.tasks, s.bridges)
        }
        for b in bridges { b.stop() }
        for t in tasks { t.cancel() }
        for l in listeners { try? l.close().wait() }
        WebSocketStreamHandler.serverStopping.store(true, ordering: .relaxed)
        let connected = broker.stats.clientsConnected.load(ordering: .relaxed)
        broker.disconnectAll()
        // Give DISCONNECT packets a moment to reach the wire before the loops stop; with nobody to tell,
        // do not hold up a standby that is waiting for this process to let go of the data directory.
        if connected > 0 {
            try? group.next().scheduleTask(in: .milliseconds(100)) {}.futureResult.wait()
        }
        try? group.syncShutdownGracefully()
        logStorage?.close()
    }

    /// Reads a TLS listener's files; a failure names the config key of the file at fault.
    static func makeTLSContext(_ tls: PierConfig.ListenerTLS, keyPath: String) throws(ConfigError) -> NIOSSLContext {
        let files = TLSServerFiles(certificateFile: tls.certFile, privateKeyFile: tls.keyFile, caFile: tls.caFile,
                                   requireClientCertificate: tls.requireClientCert)
        do {
            return try files.makeContext()
        } catch {
            let key: String
            switch error.part {
            case .certificateFile: key = keyPath + ".cert_file"
            case .privateKeyFile: key = keyPath + ".key_file"
            case .caFile: key = keyPath + ".ca_file"
            case .combination: key = keyPath
            }
            throw .invalid(file: nil, keyPath: key, problem: error.message)
        }
    }

    /// After a fence: stops the log writer (each write it still tries is refused), waiting at most `timeout`
    /// for a write stuck in the kernel, and describes where the log ends, for the fence's log line.
    public func stopWritingAfterFence(timeout: TimeAmount = .seconds(1)) -> String {
        guard let logStorage else { return "no log" }
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            logStorage.close()
            stopped.signal()
        }
        let clean = stopped.wait(timeout: .now() + .nanoseconds(Int(timeout.nanoseconds))) == .success
        return Self.lastSegment(in: config.dataDir + "/log") + (clean ? "" : " (the writer did not stop in time)")
    }

    /// The newest segment file and its size on disk, e.g. "00000000000000001234.log 56789".
    static func lastSegment(in directory: String) -> String {
        guard let dir = opendir(directory) else { return "unreadable" }
        defer { closedir(dir) }
        var newest: String?
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".log"), name > (newest ?? "") { newest = name }
        }
        guard let newest else { return "none" }
        var st = stat()
        guard stat(directory + "/" + newest, &st) == 0 else { return newest + " unreadable" }
        return "\(newest) \(st.st_size)"
    }

    public static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part + "/"
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST {
                throw DataDirectoryError(path: prefix, errno: errno)
            }
        }
    }
}


/// The data directory could not be created.
public struct DataDirectoryError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "data_dir \(path): \(String(cString: strerror(errno)))" }
}
