import PierCore

/// Limits and access rules shared by every connection of a listener: one reference per connection
/// instead of a copy, which matters with tens of thousands of idle devices.
public final class MQTTConnectionPolicy: Sendable {
    public let configuration: MQTTServerConfiguration
    public let authorizer: any Authorizer

    public init(configuration: MQTTServerConfiguration, authorizer: any Authorizer) {
        self.configuration = configuration
        self.authorizer = authorizer
    }
}
