import PierCore

/// OpenWire destinations to and from core destinations, the ActiveMQ way: `queue://q` is the core
/// queue `q`; `topic://a.b.*.>` is the core topic `a/b/+/#`, so JMS, STOMP and MQTT clients meet.
/// Temporary destinations are named by the client (`ID:<connection>:<n>`) and map to core temporary
/// destinations through `OpenWireTemporaryDestinations`.
public enum OpenWireDestinationName {
    /// The parts of a composite destination (`a,b`, a part may switch kind with `queue://` or `topic://`).
    public static func split(_ destination: OpenWireDestination) -> [OpenWireDestination] {
        guard let name = destination.physicalName, name.contains(",") else { return [destination] }
        return name.split(separator: ",").map { part in
            let p = String(part).trimmingCharacters(in: " ")
            if p.hasPrefix("queue://") { return .queue(String(p.dropFirst(8))) }
            if p.hasPrefix("topic://") { return .topic(String(p.dropFirst(8))) }
            return OpenWireDestination(destination.kind, p)
        }
    }

    /// A plain (not temporary) destination as a core destination.
    public static func core(_ destination: OpenWireDestination) -> Destination? {
        guard let name = destination.physicalName, !name.isEmpty else { return nil }
        switch destination.kind {
        case .queue, .tempQueue: return .queue(name)
        case .topic, .tempTopic: return .topic(Destination.mqttName(fromDotted: name))
        }
    }

    /// A core destination as an OpenWire one (temporary ones are looked up by the caller first).
    public static func openWire(_ destination: Destination) -> OpenWireDestination {
        switch destination {
        case .queue(let name): return .queue(name)
        case .topic(let name): return .topic(Destination.dottedName(fromMQTT: name))
        }
    }

    /// ActiveMQ's advisory topics (`ActiveMQ.Advisory.*`); Pier publishes only the temporary
    /// destination ones, the others are accepted and stay silent.
    public static let advisoryPrefix = "ActiveMQ.Advisory."
    public static let tempQueueAdvisory = "ActiveMQ.Advisory.TempQueue"
    public static let tempTopicAdvisory = "ActiveMQ.Advisory.TempTopic"

    public static func isAdvisory(_ destination: OpenWireDestination) -> Bool {
        guard destination.kind == .topic else { return false }
        return split(destination).allSatisfy { $0.physicalName?.hasPrefix(advisoryPrefix) == true }
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
