/// What a client wants to do with a destination. Every front end asks the core's one question,
/// `Authorizer.authorize`, so a rule means the same over MQTT, STOMP, OpenWire and AMQP.
public enum AccessVerb: Sendable, Equatable {
    case publish
    /// A topic subscription (its filter may hold wildcards).
    case subscribe
    /// Taking messages from a queue.
    case consume
    /// Looking at a queue's messages without taking them.
    case browse
}

extension Authorizer {
    /// Topics follow the mosquitto rules (publish is write, subscribe and consume are read, `$SYS` needs
    /// an explicit grant); queues follow the `queue` rules (send is write, consume and browse are read).
    public func authorize(_ identity: ClientIdentity, _ verb: AccessVerb, _ destination: Destination) -> Bool {
        switch (destination, verb) {
        case (.topic(let t), .publish): return mayPublish(identity, topic: t)
        case (.topic(let f), .subscribe), (.topic(let f), .consume), (.topic(let f), .browse): return canSubscribe(identity, filter: f)
        case (.queue(let q), .publish): return canAccessQueue(identity, queue: q, write: true)
        case (.queue(let q), _): return canAccessQueue(identity, queue: q, write: false)
        }
    }
}
