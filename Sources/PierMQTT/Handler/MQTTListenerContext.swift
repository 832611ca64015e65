import Logging
import PierCore

/// Everything the connections of one MQTT listener share (a class, so each connection holds a reference).
public final class MQTTListenerContext: Sendable {
    public let name: String
    public let broker: Broker
    public let authenticator: any Authenticator
    public let allowAnonymous: Bool
    public let policy: MQTTConnectionPolicy
    public let maxConnections: Int
    public let logger: Logger

    public var configuration: MQTTServerConfiguration { policy.configuration }

    public init(name: String, broker: Broker, authenticator: any Authenticator, allowAnonymous: Bool,
                configuration: MQTTServerConfiguration, maxConnections: Int, logger: Logger) {
        self.name = name
        self.broker = broker
        self.authenticator = authenticator
        self.allowAnonymous = allowAnonymous
        self.policy = MQTTConnectionPolicy(configuration: configuration, authorizer: broker.authorizer)
        self.maxConnections = maxConnections
        self.logger = logger
    }
}
