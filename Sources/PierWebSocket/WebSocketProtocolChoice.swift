/// Which protocol a WebSocket listener runs for a client, from the subprotocols it offers. Pure, so the
/// rules are tested without sockets.
public struct WebSocketProtocolChoice: Sendable, Equatable {
    public enum Family: String, Sendable, Equatable {
        case mqtt
        case stomp
    }

    public var family: Family
    /// Echoed in `Sec-WebSocket-Protocol`; nil when the client offered none.
    public var subprotocol: String?

    public static let mqttSubprotocols = ["mqtt", "mqttv3.1"]
    /// Highest version first.
    public static let stompSubprotocols = ["v12.stomp", "v11.stomp", "v10.stomp", "stomp"]

    /// `fixed` is the listener's protocol (nil for `auto`). Returns nil when the client offered
    /// subprotocols and none of them is served here: the upgrade is refused with 400.
    ///
    /// - No subprotocol: the fixed protocol, or STOMP for `auto` (ActiveMQ's choice).
    /// - MQTT's names (`mqtt`, `mqttv3.1`) give MQTT, STOMP's give STOMP at the highest version offered.
    /// - With `auto`, the family of the first name the client offered that is served here wins.
    public static func choose(offered: [String], fixed: Family?) -> WebSocketProtocolChoice? {
        let names = offered.map { $0.lowercased() }
        guard !names.isEmpty else { return WebSocketProtocolChoice(family: fixed ?? .stomp, subprotocol: nil) }
        let families: [Family] = fixed.map { [$0] } ?? [.mqtt, .stomp]
        guard let first = names.first(where: { family(of: $0).map(families.contains) ?? false }),
              let family = family(of: first) else { return nil }
        switch family {
        case .mqtt:
            return WebSocketProtocolChoice(family: .mqtt, subprotocol: first)
        case .stomp:
            let best = stompSubprotocols.first(where: names.contains) ?? first
            return WebSocketProtocolChoice(family: .stomp, subprotocol: best)
        }
    }

    static func family(of name: String) -> Family? {
        if mqttSubprotocols.contains(name) { return .mqtt }
        if stompSubprotocols.contains(name) { return .stomp }
        return nil
    }
}
