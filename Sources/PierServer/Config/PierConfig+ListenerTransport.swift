extension PierConfig {
    /// The byte stream under a listener's protocol. TLS and WebSocket layers
    /// (`tls`, `ws`, `wss`) are added as cases here.
    public enum ListenerTransport: String, CaseIterable, Codable, Sendable {
        case tcp
    }
}
