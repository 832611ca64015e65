import Logging
import PierCore

/// Everything the connections of one MQTT listener share.
public struct MQTTListenerContext: Sendable {
    public var name: String
    public var broker: Broker
    public var authenticator: any Authenticator
    public var allowAnonymous: Bool
    public var configuration: MQTTServerConfiguration
    public var maxConnections: Int
    public var logger: Logger

    public init(name: String, broker: Broker, authenticator: any Authenticator, allowAnonymous: Bool,
                configuration: MQTTServerConfiguration, maxConnections: Int, logger: Logger) {
        self.name = name
        self.broker = broker
        self.authenticator = authenticator
        self.allowAnonymous = allowAnonymous
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger
    }
}
