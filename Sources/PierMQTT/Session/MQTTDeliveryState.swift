import PierCore

/// MQTT's view of a session's delivery state: outgoing exchanges by packet id with their QoS phase,
/// incoming QoS 2 packet ids awaiting PUBREL, and the next packet id. The core keeps the same state in
/// neutral terms (`SessionDeliveryState`, keys as opaque bytes); this converts at attach and detach.
struct MQTTDeliveryState: Sendable {
    enum OutgoingPhase: Sendable, Equatable {
        /// Sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
        case awaitingAck
        /// PUBREC received and PUBREL sent, waiting for PUBCOMP.
        case awaitingComplete
    }

    struct Outgoing: Sendable {
        var packetID: UInt16
        var delivery: Delivery
        var phase: OutgoingPhase
    }

    /// In send order, so redelivery keeps the original order.
    var outgoing: [Outgoing] = []
    var incomingExactlyOnce: Set<UInt16> = []
    var nextPacketID: UInt16 = 1

    init() {}

    /// A resumed session: keys that are not two-byte packet ids (another front end's) are left out.
    init(resuming neutral: SessionDeliveryState) {
        var highest: UInt16 = 0
        for o in neutral.outgoing {
            guard let id = o.key.packetID else { continue }
            outgoing.append(Outgoing(packetID: id, delivery: o.delivery, phase: o.advanced ? .awaitingComplete : .awaitingAck))
            highest = max(highest, id)
        }
        incomingExactlyOnce = Set(neutral.incoming.compactMap(\.packetID))
        nextPacketID = highest == UInt16.max ? 1 : highest + 1
    }

    var neutral: SessionDeliveryState {
        var out = SessionDeliveryState()
        out.outgoing = outgoing.map { .init(key: DeliveryKey(packetID: $0.packetID), delivery: $0.delivery, advanced: $0.phase == .awaitingComplete) }
        out.incoming = Set(incomingExactlyOnce.map { DeliveryKey(packetID: $0) })
        return out
    }
}

extension DeliveryKey {
    /// MQTT names an exchange by its packet id: two bytes, big-endian.
    init(packetID: UInt16) {
        self.init(packed: UInt64(packetID), count: 2)
    }

    var packetID: UInt16? {
        guard let (value, count) = packed, count == 2 else { return nil }
        return UInt16(value)
    }
}
