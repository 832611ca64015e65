import Logging
import PierCore

/// What every connection of one listener shares, whatever its protocol (a class, so each
/// connection holds one reference).
public final class ListenerContext: Sendable {
    public let name: String
    public let broker: Broker
    public let authenticator: any Authenticator
    public let allowAnonymous: Bool
    public let maxConnections: Int
    public let logger: Logger
    /// Broker-wide: every listener of one broker shares it. The default, a registry of this listener's
    /// own, is for tests that build one listener.
    public let registry: ConnectionRegistry
    /// The protocol configured on the listener (`auto` for a WebSocket listener that serves MQTT and STOMP).
    public let protocolName: String
    public let metrics: ListenerMetrics

    public init(name: String, broker: Broker, authenticator: any Authenticator, allowAnonymous: Bool,
                maxConnections: Int, logger: Logger, registry: ConnectionRegistry = ConnectionRegistry(),
                protocolName: String = "mqtt") {
        self.registry = registry
        self.protocolName = protocolName
        self.metrics = ListenerMetrics(listener: name, protocolName: protocolName, factory: broker.metricsFactory)
        self.name = name
        self.broker = broker
        self.authenticator = authenticator
        self.allowAnonymous = allowAnonymous
        self.maxConnections = maxConnections
        self.logger = logger
    }
}
