/// A topic subscription that keeps collecting messages while its client is away, keyed by
/// (client id, subscription name) as JMS defines it. Its messages wait in a queue of its own.
public struct DurableSubscription: Sendable, Equatable {
    public var clientID: String
    public var name: String
    /// Topic filter in MQTT form.
    public var filter: String
    public var selector: String?
    public var noLocal: Bool

    public init(clientID: String, name: String, filter: String, selector: String? = nil, noLocal: Bool = false) {
        self.clientID = clientID
        self.name = name
        self.filter = filter
        self.selector = selector
        self.noLocal = noLocal
    }

    /// The queue holding its messages; `$` keeps it apart from every name a client can send to.
    public var queueName: String { "$durable/\(clientID)/\(name)" }
}
