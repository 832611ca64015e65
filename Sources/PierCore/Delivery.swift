/// One message on its way to one session, after the per-session merge of every matching subscription.
public struct Delivery: Sendable, Equatable {
    public var message: Message
    /// The lower of the publish QoS and the best matching subscription's QoS.
    public var qos: QoS
    /// The retain flag as the subscriber sees it (retain-as-published, or set for retained messages sent on subscribe).
    public var retain: Bool
    /// Identifiers of every matching subscription that carried one, so one copy serves overlapping subscriptions.
    public var subscriptionIdentifiers: [UInt32]

    public init(message: Message, qos: QoS, retain: Bool, subscriptionIdentifiers: [UInt32] = []) {
        self.message = message
        self.qos = qos
        self.retain = retain
        self.subscriptionIdentifiers = subscriptionIdentifiers
    }
}
