import PierCore

/// AMQP addresses the ActiveMQ way, to and from core destinations: `queue://NAME`, `topic://a.b.>`, and a
/// plain name, which is a queue unless the terminus has the `topic` capability. Topic names are dotted on
/// the wire and in MQTT form in the core, so AMQP, STOMP, JMS and MQTT clients meet.
public enum AMQPAddress {
    public static let queuePrefix = "queue://"
    public static let topicPrefix = "topic://"

    /// nil for an empty address (or one that is only a prefix).
    public static func destination(_ address: String?, capabilities: [String] = []) -> Destination? {
        guard let address, !address.isEmpty else { return nil }
        if address.hasPrefix(queuePrefix) {
            let name = String(address.dropFirst(queuePrefix.count))
            return name.isEmpty ? nil : .queue(name)
        }
        if address.hasPrefix(topicPrefix) {
            let name = String(address.dropFirst(topicPrefix.count))
            return name.isEmpty ? nil : .topic(Destination.mqttName(fromDotted: name))
        }
        if capabilities.contains("topic") || capabilities.contains("temporary-topic") {
            return .topic(Destination.mqttName(fromDotted: address))
        }
        return .queue(address)
    }

    /// How a core destination is written in `to`, `reply-to` and terminus addresses. Queues keep their
    /// plain name (what a client attached with), topics carry the prefix so a reply goes to the topic.
    public static func format(_ destination: Destination) -> String {
        switch destination {
        case .queue(let name): return name
        case .topic(let name): return topicPrefix + Destination.dottedName(fromMQTT: name)
        }
    }

    /// The terminus capability matching a destination.
    public static func capability(_ destination: Destination) -> String {
        destination.isQueue ? "queue" : "topic"
    }
}
