/// Where a message goes. Topic names are kept in MQTT form (`a/b/c`); other protocols translate
/// with `Destination.mqttName(fromDotted:)` the ActiveMQ way (`a.b.c`, `*`, `>`).
public enum Destination: Hashable, Sendable {
    case topic(String)
    case queue(String)

    public var isQueue: Bool {
        if case .queue = self { return true }
        return false
    }

    public var name: String {
        switch self {
        case .topic(let n), .queue(let n): return n
        }
    }

    /// `a.b.*.>` (STOMP, OpenWire, AMQP) to `a/b/+/#`.
    public static func mqttName(fromDotted dotted: String) -> String {
        var parts: [Substring] = []
        for level in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            switch level {
            case "*": parts.append("+")
            case ">": parts.append("#")
            default: parts.append(level)
            }
        }
        return parts.joined(separator: "/")
    }

    /// `a/b/+/#` to `a.b.*.>`.
    public static func dottedName(fromMQTT mqtt: String) -> String {
        var parts: [Substring] = []
        for level in mqtt.split(separator: "/", omittingEmptySubsequences: false) {
            switch level {
            case "+": parts.append("*")
            case "#": parts.append(">")
            default: parts.append(level)
            }
        }
        return parts.joined(separator: ".")
    }
}
