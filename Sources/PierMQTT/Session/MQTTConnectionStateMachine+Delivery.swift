import NIOCore
import PierCore

/// Outgoing deliveries: the in-flight window, Receive Maximum, writability, packet ids and topic aliases.
extension MQTTConnectionStateMachine {
    // MARK: - Outgoing deliveries

    public mutating func deliver(_ deliveries: [Delivery], now: Int64) -> [Action] {
        guard state == .connected else {
            return state == .closed ? [.requeue(deliveries)] : deliveriesHeld(deliveries)
        }
        var actions: [Action] = []
        for d in deliveries { deliverOne(d, now: now, into: &actions) }
        return actions
    }

    mutating func deliveriesHeld(_ deliveries: [Delivery]) -> [Action] {
        for d in deliveries { pending.append(d) }
        return []
    }

    var windowSize: Int { min(configuration.maxInflight, clientReceiveMaximum) }

    /// The socket's writability changed; resume sending queued messages when it drains.
    public mutating func writabilityChanged(_ isWritable: Bool, now: Int64) -> [Action] {
        writable = isWritable
        guard isWritable, state == .connected else { return [] }
        var actions: [Action] = []
        pump(now: now, into: &actions)
        return actions
    }

    mutating func deliverOne(_ d: Delivery, now: Int64, into actions: inout [Action], bounded: Bool = true) {
        if d.message.isExpired(now: now) {
            actions.append(.dropped(d))
            return
        }
        if d.qos == .atMostOnce && !writable {
            // QoS 0 promises nothing; dropping it is how a slow reader is kept from exhausting memory.
            actions.append(.dropped(d))
            return
        }
        if d.qos == .atMostOnce {
            if let publish = encodePublish(d, packetID: nil, now: now, allowAlias: true) {
                actions.append(.send(.publish(publish)))
            } else {
                actions.append(.dropped(d))
            }
            return
        }
        if writable && delivery.outgoing.count < windowSize && pending.isEmpty {
            send(d, now: now, into: &actions)
        } else if !bounded || pending.count < configuration.maxQueued {
            pending.append(d)
        } else {
            actions.append(.dropped(d))
        }
    }

    /// Moves queued messages into the in-flight window as acknowledgements free it.
    mutating func pump(now: Int64, into actions: inout [Action]) {
        while writable, delivery.outgoing.count < windowSize, let next = pending.popFirst() {
            if next.message.isExpired(now: now) {
                actions.append(.dropped(next))
                continue
            }
            send(next, now: now, into: &actions)
        }
    }

    mutating func send(_ d: Delivery, now: Int64, into actions: inout [Action]) {
        let id = nextPacketID()
        guard let publish = encodePublish(d, packetID: id, now: now, allowAlias: true) else {
            // Too large for the client: discarded as if delivered (MQTT-3.1.2-25).
            actions.append(.dropped(d))
            return
        }
        delivery.outgoing.append(.init(packetID: id, delivery: d, phase: .awaitingAck))
        if let messageID = d.message.id { actions.append(.progress(.sent(messageID: messageID, key: DeliveryKey(packetID: id)))) }
        actions.append(.send(.publish(publish)))
    }

    mutating func nextPacketID() -> UInt16 {
        while true {
            let id = delivery.nextPacketID
            delivery.nextPacketID = id == UInt16.max ? 1 : id + 1
            if !delivery.outgoing.contains(where: { $0.packetID == id }) { return id }
        }
    }

    /// Builds the PUBLISH for a delivery, or nil when it exceeds the client's Maximum Packet Size.
    mutating func encodePublish(_ d: Delivery, packetID: UInt16?, now: Int64, allowAlias: Bool) -> MQTTPublish? {
        var properties = MQTTProperties()
        if version == .v5 {
            properties = MQTTMessageMapping.properties(of: d.message, now: now)
            properties.subscriptionIdentifiers = d.subscriptionIdentifiers
        }
        var publish = MQTTPublish(topic: d.message.topic, payload: d.message.payload, qos: d.qos, retain: d.retain,
                                  dup: false, packetID: packetID, properties: properties)
        if MQTTPacketEncoder.encodedSize(.publish(publish), version: version) > clientMaximumPacketSize { return nil }
        if allowAlias && version == .v5 && clientTopicAliasMaximum > 0 {
            if let alias = outboundAliases[publish.topic] {
                publish.properties.topicAlias = alias
                publish.topic = ""
            } else if outboundAliases.count < Int(clientTopicAliasMaximum) {
                let alias = UInt16(outboundAliases.count + 1)
                outboundAliases[publish.topic] = alias
                publish.properties.topicAlias = alias
            }
        }
        return publish
    }
}
