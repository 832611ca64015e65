/// Delivery state that outlives one connection of a persistent session, in the core's neutral terms:
/// messages sent but not finished, each under its front end's key, and incoming keys still held.
public struct SessionDeliveryState: Sendable {
    public struct Outgoing: Sendable {
        public var key: DeliveryKey
        public var delivery: Delivery
        /// The exchange reached its second phase (`SessionEvent.advanced`).
        public var advanced: Bool

        public init(key: DeliveryKey, delivery: Delivery, advanced: Bool = false) {
            self.key = key
            self.delivery = delivery
            self.advanced = advanced
        }
    }

    /// In send order, so redelivery keeps the original order.
    public var outgoing: [Outgoing] = []
    public var incoming: Set<DeliveryKey> = []

    public init() {}
}
