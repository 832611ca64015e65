/// Delivery state that outlives one connection of a persistent session: unacknowledged outgoing
/// messages (redelivered with DUP on reconnect) and incoming exactly-once ids awaiting release.
public struct SessionDeliveryState: Sendable {
    public enum OutgoingPhase: Sendable, Equatable {
        /// Sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
        case awaitingAck
        /// PUBREC received and PUBREL sent, waiting for PUBCOMP.
        case awaitingComplete
    }

    public struct Outgoing: Sendable {
        public var packetID: UInt16
        public var delivery: Delivery
        public var phase: OutgoingPhase

        public init(packetID: UInt16, delivery: Delivery, phase: OutgoingPhase) {
            self.packetID = packetID
            self.delivery = delivery
            self.phase = phase
        }
    }

    /// In send order, so redelivery keeps the original order.
    public var outgoing: [Outgoing] = []
    public var incomingExactlyOnce: Set<UInt16> = []
    public var nextPacketID: UInt16 = 1

    public init() {}
}
