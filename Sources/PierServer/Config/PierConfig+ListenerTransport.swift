extension PierConfig {
    /// The byte stream under a listener's protocol: a stack of layers, TLS and WebSocket among them.
    public enum ListenerTransport: String, CaseIterable, Codable, Sendable {
        case tcp
        /// TLS over TCP; the listener's `tls` mapping names the certificate and key.
        case tls
        /// WebSocket over TCP.
        case ws
        /// WebSocket over TLS; needs the `tls` mapping too.
        case wss

        public var usesTLS: Bool { self == .tls || self == .wss }
        public var isWebSocket: Bool { self == .ws || self == .wss }
    }
}
