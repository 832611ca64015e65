import PierConnection

/// Everything the connections of one AMQP listener share.
public final class AMQPListenerContext: Sendable {
    public let common: ListenerContext
    public let configuration: AMQPServerConfiguration

    public init(common: ListenerContext, configuration: AMQPServerConfiguration) {
        var configuration = configuration
        configuration.allowAnonymous = common.allowAnonymous
        self.common = common
        self.configuration = configuration
    }
}
