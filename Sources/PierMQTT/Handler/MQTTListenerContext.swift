import Logging
import PierConnection
import PierCore

/// Everything the connections of one MQTT listener share (a class, so each connection holds a reference):
/// what every protocol's listener has, plus MQTT's limits.
public final class MQTTListenerContext: Sendable {
    public let common: ListenerContext
    public let policy: MQTTConnectionPolicy

    public var name: String { common.name }
    public var broker: Broker { common.broker }
    public var logger: Logger { common.logger }
    public var configuration: MQTTServerConfiguration { policy.configuration }

    public init(common: ListenerContext, configuration: MQTTServerConfiguration) {
        self.common = common
        self.policy = MQTTConnectionPolicy(configuration: configuration, authorizer: common.broker.authorizer)
    }

    public convenience init(name: String, broker: Broker, authenticator: any Authenticator, allowAnonymous: Bool,
                            configuration: MQTTServerConfiguration, maxConnections: Int, logger: Logger) {
        self.init(common: ListenerContext(name: name, broker: broker, authenticator: authenticator, allowAnonymous: allowAnonymous,
                                          maxConnections: maxConnections, logger: logger),
                  configuration: configuration)
    }
}
