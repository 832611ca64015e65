import Logging
import PierBridge
import PierConnection
import PierCore
import PierMetrics

/// What the admin API reads from the running server. Closures for what changes after start-up
/// (listeners are bound after the HTTP listener is built; bridges start and stop).
public struct AdminContext: Sendable {
    /// One configured listener as the API shows it.
    public struct Listener: Sendable, Equatable {
        public var name: String
        public var protocolName: String
        public var transport: String
        public var bind: String
        public var port: Int

        public init(name: String, protocolName: String, transport: String, bind: String, port: Int) {
            self.name = name
            self.protocolName = protocolName
            self.transport = transport
            self.bind = bind
            self.port = port
        }
    }

    public var version: String
    public var startedAtMillis: Int64
    /// `active` for a pair member holding the data directory, `standalone` without a log.
    public var haRole: String
    public var dataDir: String
    public var broker: Broker
    public var connections: ConnectionRegistry
    public var listeners: @Sendable () -> [Listener]
    public var bridges: @Sendable () -> [Bridge]
    /// What `/metrics` serves, and where the broker's counters in `/api/broker` are read.
    public var metrics: MetricsRegistry
    /// Where `/api/events` streams subscribe; `AdminLogHandler` feeds the shared one.
    public var logs: AdminLogFanOut
    /// Changes made through the API (purge, move, close, pause) are logged here, with the user.
    public var logger: Logger

    public init(version: String, startedAtMillis: Int64, haRole: String, dataDir: String, broker: Broker,
                connections: ConnectionRegistry, listeners: @escaping @Sendable () -> [Listener],
                bridges: @escaping @Sendable () -> [Bridge], metrics: MetricsRegistry = MetricsRegistry(),
                logs: AdminLogFanOut = .shared, logger: Logger = Logger(label: "pier.admin")) {
        self.metrics = metrics
        self.version = version
        self.startedAtMillis = startedAtMillis
        self.haRole = haRole
        self.dataDir = dataDir
        self.broker = broker
        self.connections = connections
        self.listeners = listeners
        self.bridges = bridges
        self.logs = logs
        self.logger = logger
    }
}
