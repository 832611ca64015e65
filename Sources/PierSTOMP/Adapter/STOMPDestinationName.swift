import PierCore

/// STOMP destination names the ActiveMQ way, to and from core destinations. Topic names are dotted
/// (`a.b.*.>`) on the wire and in MQTT form (`a/b/+/#`) in the core, so STOMP and MQTT clients meet.
public enum STOMPDestinationName: Sendable, Equatable {
    case queue(String)
    case topic(String)
    /// `/temp-queue/NAME`: a name private to this connection, mapped to a core temporary queue.
    case temporaryQueue(String)
    case temporaryTopic(String)

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unknownPrefix(String)
        case emptyName(String)

        public var description: String {
            switch self {
            case .unknownPrefix(let d): return "Unknown destination '\(d)': use /queue/, /topic/, /temp-queue/ or /temp-topic/"
            case .emptyName(let d): return "Destination '\(d)' has no name"
            }
        }
    }

    /// One destination (no commas). `/remote-temp-queue/` names another connection's temporary queue,
    /// as the broker writes it into `reply-to`.
    public static func parse(_ text: String) throws(ParseError) -> STOMPDestinationName {
        let prefixes: [(String, (String) -> STOMPDestinationName)] = [
            ("/queue/", { .queue($0) }), ("/topic/", { .topic(Destination.mqttName(fromDotted: $0)) }),
            ("/temp-queue/", { .temporaryQueue($0) }), ("/temp-topic/", { .temporaryTopic($0) }),
            ("/remote-temp-queue/", { .queue($0) }), ("/remote-temp-topic/", { .topic($0) }),
        ]
        for (prefix, make) in prefixes where text.hasPrefix(prefix) {
            let name = String(text.dropFirst(prefix.count))
            guard !name.isEmpty else { throw .emptyName(text) }
            return make(name)
        }
        throw .unknownPrefix(text)
    }

    /// A composite destination (`/queue/a,/topic/b`) into its parts.
    public static func parseList(_ text: String) throws(ParseError) -> [STOMPDestinationName] {
        var out: [STOMPDestinationName] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            out.append(try parse(String(part).trimmingCharacters(" ")))
        }
        if out.isEmpty { throw .emptyName(text) }
        return out
    }

    /// How a core destination is written in MESSAGE `destination` and `reply-to` headers.
    public static func format(_ destination: Destination, temporaryQueueNames: [String: String] = [:]) -> String {
        switch destination {
        case .queue(let name):
            if let mine = temporaryQueueNames[name] { return "/temp-queue/" + mine }
            if name.hasPrefix("ID:") { return "/remote-temp-queue/" + name }
            return "/queue/" + name
        case .topic(let name):
            if name.hasPrefix("ID:") { return "/remote-temp-topic/" + name }
            return "/topic/" + Destination.dottedName(fromMQTT: name)
        }
    }
}

extension String {
    func trimmingCharacters(_ c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}
