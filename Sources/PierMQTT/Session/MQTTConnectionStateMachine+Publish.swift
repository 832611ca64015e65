import NIOCore
import PierCore

/// The QoS flows of PUBLISH in both directions: the client's publishes (with QoS 2 PUBREL), and the
/// acknowledgements of the broker's.
extension MQTTConnectionStateMachine {
    // MARK: - PUBLISH from the client

    mutating func handlePublish(_ incoming: MQTTPublish, now: Int64) -> [Action] {
        var publish = incoming
        if version == .v5, let alias = publish.properties.topicAlias {
            guard alias != 0, alias <= configuration.topicAliasMaximum else {
                return protocolViolation(.topicAliasInvalid)
            }
            if publish.topic.isEmpty {
                guard let topic = inboundAliases[alias] else { return protocolViolation(.protocolError) }
                publish.topic = topic
            } else {
                inboundAliases[alias] = publish.topic
            }
        }
        if publish.qos != .atMostOnce, let id = publish.packetID {
            if publish.qos == .exactlyOnce && delivery.incomingExactlyOnce.contains(id) {
                // A resent PUBLISH of an exchange we already hold: acknowledge again, never route twice.
                return [.sendAfterCommit(.pubrec(MQTTPubAck(packetID: id)))]
            }
            if delivery.incomingExactlyOnce.count >= Int(configuration.receiveMaximum) {
                return protocolViolation(.receiveMaximumExceeded)
            }
        }
        // `$SYS` is the broker's own tree: refused unless an ACL rule grants it explicitly.
        let allowed = authorizer.mayPublish(identity, topic: publish.topic)
        // 3.1.1 has no way to refuse a publish, so a denied one is acknowledged and dropped (as mosquitto does).
        let code: MQTTReasonCode = (allowed || version != .v5) ? .success : .notAuthorized
        let id = publish.packetID ?? 0
        var ack: MQTTPacket?
        switch publish.qos {
        case .atMostOnce:
            ack = nil
        case .atLeastOnce:
            ack = .puback(MQTTPubAck(packetID: id, reasonCode: code))
        case .exactlyOnce:
            if allowed || version != .v5 { delivery.incomingExactlyOnce.insert(id) }
            ack = .pubrec(MQTTPubAck(packetID: id, reasonCode: code))
        }
        guard allowed else {
            return ack.map { [.send($0)] } ?? []
        }
        let message = MQTTMessageMapping.message(topic: publish.topic, payload: publish.payload, qos: publish.qos,
                                                  retain: publish.retain, properties: publish.properties, origin: clientID, now: now)
        return [.publish(message, ack: ack, exactlyOnceID: publish.qos == .exactlyOnce ? id : nil)]
    }

    mutating func handlePubRel(_ ack: MQTTPubAck) -> [Action] {
        if delivery.incomingExactlyOnce.remove(ack.packetID) != nil {
            return [.release(packetID: ack.packetID, ack: .pubcomp(MQTTPubAck(packetID: ack.packetID)))]
        }
        if version != .v5 {
            return [.send(.pubcomp(MQTTPubAck(packetID: ack.packetID)))]
        }
        return [.send(.pubcomp(MQTTPubAck(packetID: ack.packetID, reasonCode: .packetIdentifierNotFound)))]
    }

    // MARK: - Acknowledgements of our PUBLISHes

    mutating func handleAck(_ packetID: UInt16, expecting qos: QoS, now: Int64) -> [Action] {
        guard let index = delivery.outgoing.firstIndex(where: { $0.packetID == packetID }) else { return [] }
        let item = delivery.outgoing[index]
        let matches = qos == .atLeastOnce
            ? (item.delivery.qos == .atLeastOnce && item.phase == .awaitingAck)
            : (item.delivery.qos == .exactlyOnce && item.phase == .awaitingComplete)
        guard matches else { return [] }
        delivery.outgoing.remove(at: index)
        var actions: [Action] = []
        if let id = item.delivery.message.id { actions.append(.progress(.completed(messageID: id))) }
        pump(now: now, into: &actions)
        return actions
    }

    mutating func handlePubRec(_ ack: MQTTPubAck, now: Int64) -> [Action] {
        guard let index = delivery.outgoing.firstIndex(where: { $0.packetID == ack.packetID && $0.delivery.qos == .exactlyOnce }) else {
            let code: MQTTReasonCode = version == .v5 ? .packetIdentifierNotFound : .success
            return [.send(.pubrel(MQTTPubAck(packetID: ack.packetID, reasonCode: code)))]
        }
        if ack.reasonCode.isFailure {
            // The receiver refused the message; the exchange ends here (MQTT-4.3.3).
            let item = delivery.outgoing.remove(at: index)
            var actions: [Action] = []
            if let id = item.delivery.message.id { actions.append(.progress(.completed(messageID: id))) }
            pump(now: now, into: &actions)
            return actions
        }
        delivery.outgoing[index].phase = .awaitingComplete
        return [.progress(.advanced(key: DeliveryKey(packetID: ack.packetID))), .send(.pubrel(MQTTPubAck(packetID: ack.packetID)))]
    }
}
