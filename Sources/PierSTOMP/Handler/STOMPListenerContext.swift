import PierConnection

/// Everything the connections of one STOMP listener share.
public final class STOMPListenerContext: Sendable {
    public let common: ListenerContext
    public let machine: STOMPConnectionStateMachine.Configuration
    public let limits: STOMPDecoderLimits
    /// Prefetch for queue subscriptions that give none (ActiveMQ's STOMP default is 1,000... for queues).
    public let defaultPrefetch: Int

    public init(common: ListenerContext, machine: STOMPConnectionStateMachine.Configuration = .init(),
                limits: STOMPDecoderLimits = .init(), defaultPrefetch: Int = 1000) {
        self.common = common
        self.machine = machine
        self.limits = limits
        self.defaultPrefetch = defaultPrefetch
    }
}
