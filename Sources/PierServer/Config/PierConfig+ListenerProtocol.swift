extension PierConfig {
    /// The wire protocol a listener speaks. New protocols are added as cases here;
    /// config parsing and error messages pick them up from `allCases`.
    public enum ListenerProtocol: String, CaseIterable, Codable, Sendable {
        case mqtt
        case stomp
        /// OpenWire v12 (ActiveMQ's JMS protocol), loose encoding; plain TCP or TLS only.
        case openwire
        /// AMQP 1.0 (SASL PLAIN/ANONYMOUS); plain TCP or TLS only.
        case amqp
        /// WebSocket listeners only: the subprotocol the client asks for picks MQTT or STOMP, as ActiveMQ does.
        case auto

        /// The protocol's port over plain TCP.
        public var defaultPort: Int { defaultPort(over: .tcp) }

        /// The usual port for the protocol over `transport`.
        public func defaultPort(over transport: ListenerTransport) -> Int {
            switch (self, transport) {
            // ActiveMQ's OpenWire ports (Amazon MQ's OpenWire over TLS is 61617).
            case (.openwire, .tcp): return 61616
            case (.openwire, .tls): return 61617
            // IANA's amqp and amqps ports (Amazon MQ serves AMQP on 5671).
            case (.amqp, .tcp): return 5672
            case (.amqp, .tls): return 5671
            case (_, .ws): return 8083      // the usual MQTT-over-WebSocket port
            case (_, .wss): return 61619    // Amazon MQ's WSS port
            case (.mqtt, .tcp), (.auto, .tcp): return 1883
            case (.mqtt, .tls), (.auto, .tls): return 8883
            // ActiveMQ's, and Amazon MQ's STOMP over TLS.
            case (.stomp, .tcp): return 61613
            case (.stomp, .tls): return 61614
            }
        }
    }
}
