extension PierConfig {
    /// The byte stream under a listener's protocol. WebSocket layers (`ws`, `wss`) are added as cases here.
    public enum ListenerTransport: String, CaseIterable, Codable, Sendable {
        case tcp
        /// TLS over TCP; the listener's `tls` mapping names the certificate and key.
        case tls
    }
}
