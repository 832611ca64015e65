import NIOCore
import PierCore

/// CONNECT: validation, the client identifier, and what the handler does after the core admitted or refused it.
extension MQTTConnectionStateMachine {
    // MARK: - CONNECT

    mutating func handleConnect(_ connect: MQTTConnect, now: Int64) -> [Action] {
        version = connect.protocolVersion
        var assigned: String?
        var clientID = connect.clientID
        if clientID.isEmpty {
            if version == .v5 || (version == .v3_1_1 && connect.cleanStart) {
                clientID = Self.generateClientID()
                assigned = version == .v5 ? clientID : nil
            } else {
                return refuse(.clientIdentifierNotValid)
            }
        }
        if version == .v5, connect.properties.authenticationMethod != nil {
            return refuse(.badAuthenticationMethod)
        }
        var serverKeepAlive: UInt16?
        var keepAlive = connect.keepAlive
        if configuration.maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > configuration.maxKeepAlive) {
            if version == .v5 {
                serverKeepAlive = configuration.maxKeepAlive
                keepAlive = configuration.maxKeepAlive
            } else if keepAlive > configuration.maxKeepAlive {
                // 3.1.1 cannot be told another keepalive; mosquitto refuses the identifier in this case too.
                return refuse(.clientIdentifierNotValid)
            }
        }
        self.clientID = clientID
        keepAliveMillis = Int64(keepAlive) * 1000
        if version == .v5 {
            sessionExpiry = min(connect.properties.sessionExpiryInterval ?? 0, configuration.maxSessionExpiry)
            clientReceiveMaximum = Int(connect.properties.receiveMaximum ?? UInt16.max)
            clientMaximumPacketSize = Int(connect.properties.maximumPacketSize ?? UInt32.max)
            clientTopicAliasMaximum = connect.properties.topicAliasMaximum ?? 0
        } else {
            // 3.1.1 persistent sessions live until the configured cap, like mosquitto's persistent_client_expiration.
            sessionExpiry = connect.cleanStart ? 0 : configuration.maxSessionExpiry
        }
        var will: WillMessage?
        if let w = connect.will {
            var message = MQTTMessageMapping.message(topic: w.topic, payload: w.payload, qos: w.qos, retain: w.retain,
                                                      properties: w.properties, origin: clientID, now: now)
            message.origin = clientID
            will = WillMessage(message: message, delaySeconds: w.properties.willDelayInterval ?? 0)
        }
        state = .connecting
        return [.attach(MQTTConnectRequest(
            clientID: clientID, assignedClientID: assigned, username: connect.username, password: connect.password,
            cleanStart: connect.cleanStart, sessionExpiry: sessionExpiry, will: will,
            requestedSessionExpiry: connect.properties.sessionExpiryInterval, serverKeepAlive: serverKeepAlive))]
    }

    static func generateClientID() -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "pier-" + String((0..<16).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }

    mutating func refuse(_ code: MQTTReasonCode) -> [Action] {
        state = .closed
        publishWillOnClose = false
        return [.send(.connack(MQTTConnAck(reasonCode: code))), .close]
    }

    /// Authentication or session attach failed.
    public mutating func connectRefused(_ code: MQTTReasonCode) -> [Action] {
        guard state == .connecting else { return [] }
        return refuse(code)
    }

    /// The session is attached: send CONNACK, resume in-flight messages, then deliver what queued offline.
    public mutating func connectAccepted(_ request: MQTTConnectRequest, sessionPresent: Bool, resumed: SessionDeliveryState,
                                         queued: [Delivery], identity: ClientIdentity, now: Int64) -> [Action] {
        guard state == .connecting else { return [.requeue(queued)] }
        state = .connected
        attached = true
        self.identity = identity
        var properties = MQTTProperties()
        if version == .v5 {
            properties.receiveMaximum = configuration.receiveMaximum
            properties.maximumPacketSize = UInt32(configuration.maximumPacketSize)
            properties.topicAliasMaximum = configuration.topicAliasMaximum
            properties.assignedClientIdentifier = request.assignedClientID
            properties.serverKeepAlive = request.serverKeepAlive
            if let asked = request.requestedSessionExpiry, asked != request.sessionExpiry {
                properties.sessionExpiryInterval = request.sessionExpiry
            }
        }
        // MQTT 3.1 has no session-present flag: its CONNACK's first byte is reserved and must be 0.
        let flag = sessionPresent && version != .v3_1
        var actions: [Action] = [.send(.connack(MQTTConnAck(sessionPresent: flag, reasonCode: .success, properties: properties)))]
        if sessionPresent {
            delivery = MQTTDeliveryState(resuming: resumed)
            // MQTT-4.4.0-1: resend unacknowledged PUBLISH (with DUP) and PUBREL, in their original order.
            for item in delivery.outgoing {
                switch item.phase {
                case .awaitingAck:
                    if var publish = encodePublish(item.delivery, packetID: item.packetID, now: now, allowAlias: false) {
                        publish.dup = true
                        actions.append(.send(.publish(publish)))
                    }
                case .awaitingComplete:
                    actions.append(.send(.pubrel(MQTTPubAck(packetID: item.packetID))))
                }
            }
        }
        // The offline backlog was already accepted within the session's byte limit: it is not subject
        // to `maxQueued`, which bounds what a connected client lets pile up.
        for d in queued { deliverOne(d, now: now, into: &actions, bounded: false) }
        return actions
    }
}
