extension PierConfig {
    /// The wire protocol a listener speaks. New protocols (stomp, openwire,
    /// amqp) are added as cases here; config parsing and error messages pick
    /// them up from `allCases`.
    public enum ListenerProtocol: String, CaseIterable, Codable, Sendable {
        case mqtt
        case stomp

        /// The IANA port for the protocol over plain TCP.
        public var defaultPort: Int { defaultPort(over: .tcp) }

        /// The IANA port for the protocol over `transport`.
        public func defaultPort(over transport: ListenerTransport) -> Int {
            switch (self, transport) {
            case (.mqtt, .tcp): return 1883
            case (.mqtt, .tls): return 8883
            // ActiveMQ's, and Amazon MQ's STOMP over TLS.
            case (.stomp, .tcp): return 61613
            case (.stomp, .tls): return 61614
            }
        }
    }
}
