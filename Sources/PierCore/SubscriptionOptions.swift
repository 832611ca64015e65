/// What a subscriber asked for, protocol-neutral (MQTT 5 options are the richest set, so they set the shape).
public struct SubscriptionOptions: Hashable, Sendable {
    public enum RetainHandling: UInt8, Sendable {
        case sendOnSubscribe = 0
        case sendOnNewSubscribe = 1
        case doNotSend = 2
    }

    public var qos: QoS
    public var noLocal: Bool
    public var retainAsPublished: Bool
    public var retainHandling: RetainHandling
    public var subscriptionIdentifier: UInt32?

    public init(
        qos: QoS,
        noLocal: Bool = false,
        retainAsPublished: Bool = false,
        retainHandling: RetainHandling = .sendOnSubscribe,
        subscriptionIdentifier: UInt32? = nil
    ) {
        self.qos = qos
        self.noLocal = noLocal
        self.retainAsPublished = retainAsPublished
        self.retainHandling = retainHandling
        self.subscriptionIdentifier = subscriptionIdentifier
    }
}
