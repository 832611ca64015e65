import PierConnection

/// Everything the connections of one OpenWire listener share.
public final class OpenWireListenerContext: Sendable {
    public let common: ListenerContext
    public let machine: OpenWireConnectionStateMachine.Configuration
    /// Broker-wide OpenWire state (temporary destinations, advisories, client ids).
    public let shared: OpenWireBrokerState

    public init(common: ListenerContext, machine: OpenWireConnectionStateMachine.Configuration = .init(),
                shared: OpenWireBrokerState) {
        self.common = common
        self.machine = machine
        self.shared = shared
    }
}
