import NIOCore
import PierCore

/// The protocol logic of one MQTT connection, free of I/O: events go in, actions come out.
/// It owns ordering rules, packet identifiers, the QoS 1/2 flows in both directions, topic aliases,
/// flow control (Receive Maximum, in-flight window, Maximum Packet Size) and keepalive.
/// The channel handler performs the actions against the socket and the broker core.
public struct MQTTConnectionStateMachine {
    public enum Action {
        /// Write a packet (flushed by the handler once per read or delivery batch).
        case send(MQTTPacket)
        /// Close the connection after what was sent so far.
        case close
        /// Authenticate and attach the session; answer with `connectAccepted` or `connectRefused`.
        case attach(MQTTConnectRequest)
        /// Route an incoming application message into the broker, then send `ack` once it is durable.
        /// `exactlyOnceID` is the QoS 2 packet id to record with it, so a resend is never routed twice.
        // Indirect: a message is large, and actions are copied as they are built and run.
        indirect case publish(Message, ack: MQTTPacket?, exactlyOnceID: UInt16?)
        /// Record the end of an incoming QoS 2 exchange, then send `ack` (PUBCOMP) once that is durable.
        case release(packetID: UInt16, ack: MQTTPacket)
        /// Send once everything recorded so far is durable (a resent QoS 2 PUBLISH's PUBREC).
        case sendAfterCommit(MQTTPacket)
        /// Durable progress of an outgoing exchange.
        case progress(SessionEvent)
        /// Add these subscriptions, then answer with `subscribed(packetID:retained:)`.
        case subscribe(packetID: UInt16, [MQTTSubscribeRequest])
        /// Remove these filters, then answer with `unsubscribed(packetID:existed:)`.
        case unsubscribe(packetID: UInt16, [String])
        /// The connection is over: hand delivery state back to the session and say whether the will goes out.
        case detach(publishWill: Bool, expiryInterval: UInt32, state: SessionDeliveryState, undelivered: [Delivery])
        /// A message for this client was discarded (queue full, too large for the client, or expired).
        indirect case dropped(Delivery)
        /// Messages that reached a connection that is already closed go back to the session.
        case requeue([Delivery])
    }

    enum State {
        case awaitingConnect
        case connecting
        case connected
        case closed
    }

    let policy: MQTTConnectionPolicy
    public var configuration: MQTTServerConfiguration { policy.configuration }
    var authorizer: any Authorizer { policy.authorizer }
    var state: State = .awaitingConnect
    public internal(set) var version: MQTTProtocolVersion = .v3_1_1
    /// A flow limit the client asked for, declared here to sit in the padding after the two one-byte
    /// fields (stored fields are laid out in declaration order; the handler holding this is one per connection).
    var clientTopicAliasMaximum: UInt16 = 0
    public internal(set) var clientID = ""
    var keepAliveMillis: Int64 = 0
    var lastReceived: Int64
    let createdAt: Int64
    var sessionExpiry: UInt32 = 0
    var publishWillOnClose = true
    var attached = false
    /// False while the socket's send buffer is over its high-water mark: a client that doesn't read
    /// must not make the broker buffer without bound.
    var writable = true
    var detached = false

    // Flow limits the client asked for.
    var clientReceiveMaximum = Int(UInt16.max)
    var clientMaximumPacketSize = Int.max

    // Delivery state (resumed from the session when it is present).
    var delivery = MQTTDeliveryState()
    var pending = MessageQueue<Delivery>()
    var inboundAliases: [UInt16: String] = [:]
    var outboundAliases: [String: UInt16] = [:]
    var identity = ClientIdentity(clientID: "", username: nil)

    public init(configuration: MQTTServerConfiguration, authorizer: any Authorizer = AllowAllAuthorizer(), now: Int64) {
        self.init(policy: MQTTConnectionPolicy(configuration: configuration, authorizer: authorizer), now: now)
    }

    public init(policy: MQTTConnectionPolicy, now: Int64) {
        self.policy = policy
        self.createdAt = now
        self.lastReceived = now
    }

    public var isConnected: Bool { state == .connected }
    /// False while CONNECT is being decided and after close: further bytes must wait or be ignored.
    public var acceptsInput: Bool { state == .awaitingConnect || state == .connected }
    public var inflightCount: Int { delivery.outgoing.count }
    public var pendingCount: Int { pending.count }

    // MARK: - Incoming packets

    public mutating func receive(_ packet: MQTTPacket, now: Int64) -> [Action] {
        lastReceived = now
        switch state {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else {
                // MQTT-3.1.0-1: the first packet must be CONNECT; anything else closes without a reply.
                return closeNow()
            }
            return handleConnect(connect, now: now)
        case .connecting:
            // The client may pipeline packets behind CONNECT; the handler holds them until the CONNACK decision.
            return []
        case .closed:
            return []
        case .connected:
            break
        }
        switch packet {
        case .connect:
            return protocolViolation(.protocolError)
        case .publish(let publish):
            return handlePublish(publish, now: now)
        case .puback(let ack):
            return handleAck(ack.packetID, expecting: .atLeastOnce, now: now)
        case .pubrec(let ack):
            return handlePubRec(ack, now: now)
        case .pubrel(let ack):
            return handlePubRel(ack)
        case .pubcomp(let ack):
            return handleAck(ack.packetID, expecting: .exactlyOnce, now: now)
        case .subscribe(let subscribe):
            return handleSubscribe(subscribe)
        case .unsubscribe(let unsubscribe):
            return [.unsubscribe(packetID: unsubscribe.packetID, unsubscribe.filters)]
        case .pingreq:
            return [.send(.pingresp)]
        case .disconnect(let disconnect):
            return handleDisconnect(disconnect)
        case .auth:
            // Enhanced authentication was not negotiated in CONNECT, so AUTH is a protocol error (MQTT-4.12.0-1).
            return protocolViolation(.protocolError)
        case .connack, .suback, .unsuback, .pingresp:
            return protocolViolation(.protocolError)
        }
    }

    /// Bytes that could not be decoded. Before 5.0 there is no way to say why, so the connection just closes.
    public mutating func decodeFailed(_ error: MQTTDecodeError) -> [Action] {
        switch state {
        case .awaitingConnect:
            if error.kind == .unsupportedProtocolVersion {
                state = .closed
                // The level is unknown, so answer in 3.1.1 form (return code 1), as mosquitto does.
                version = .v3_1_1
                return [.send(.connack(MQTTConnAck(reasonCode: .unsupportedProtocolVersion))), .close]
            }
            return closeNow()
        case .connecting, .connected:
            return protocolViolation(error.reasonCode)
        case .closed:
            return []
        }
    }

    // MARK: - SUBSCRIBE / UNSUBSCRIBE

    mutating func handleSubscribe(_ subscribe: MQTTSubscribe) -> [Action] {
        let identifier = subscribe.properties.subscriptionIdentifiers.first
        var requests: [MQTTSubscribeRequest] = []
        for sub in subscribe.subscriptions {
            let shared = sub.filter.hasPrefix("$share/")
            let problem = shared ? Topic.validateSharedFilter(sub.filter) : Topic.validateFilter(sub.filter)
            var code: MQTTReasonCode
            if problem != nil {
                code = .topicFilterInvalid
            } else if shared && sub.noLocal && version == .v5 {
                // MQTT-3.8.3-4: No Local on a shared subscription is a protocol error.
                return protocolViolation(.protocolError)
            } else if !authorizer.canSubscribe(identity, filter: sub.filter) {
                code = .notAuthorized
            } else {
                code = MQTTReasonCode(sub.qos.rawValue)
            }
            if version != .v5 && code.isFailure { code = .unspecifiedError }
            let options = SubscriptionOptions(
                qos: sub.qos, noLocal: sub.noLocal, retainAsPublished: sub.retainAsPublished,
                retainHandling: SubscriptionOptions.RetainHandling(rawValue: sub.retainHandling) ?? .sendOnSubscribe,
                subscriptionIdentifier: identifier)
            requests.append(MQTTSubscribeRequest(filter: sub.filter, options: options, reasonCode: code))
        }
        return [.subscribe(packetID: subscribe.packetID, requests)]
    }

    /// The broker applied a SUBSCRIBE: send SUBACK, then any retained messages it matched.
    public mutating func subscribed(packetID: UInt16, _ requests: [MQTTSubscribeRequest], retained: [Delivery], now: Int64) -> [Action] {
        guard state == .connected else { return [] }
        var actions: [Action] = [.send(.suback(MQTTSubAck(packetID: packetID, reasonCodes: requests.map(\.reasonCode))))]
        for d in retained { deliverOne(d, now: now, into: &actions) }
        return actions
    }

    public mutating func unsubscribed(packetID: UInt16, existed: [Bool]) -> [Action] {
        guard state == .connected else { return [] }
        let codes: [MQTTReasonCode] = version == .v5 ? existed.map { $0 ? .success : .noSubscriptionExisted } : []
        return [.send(.unsuback(MQTTUnsubAck(packetID: packetID, reasonCodes: codes)))]
    }

    // MARK: - DISCONNECT and closing

    mutating func handleDisconnect(_ disconnect: MQTTDisconnect) -> [Action] {
        if version == .v5, let expiry = disconnect.properties.sessionExpiryInterval {
            if sessionExpiry == 0 && expiry != 0 {
                // MQTT-3.14.2-2: a session created with expiry 0 cannot be extended at DISCONNECT.
                return protocolViolation(.protocolError)
            }
            sessionExpiry = min(expiry, configuration.maxSessionExpiry)
        }
        publishWillOnClose = version == .v5 && disconnect.reasonCode == .disconnectWithWill
        state = .closed
        return [.close]
    }

    /// Closes with a reason: a DISCONNECT on 5.0, a bare close before it.
    mutating func protocolViolation(_ code: MQTTReasonCode) -> [Action] {
        state = .closed
        if version == .v5 {
            return [.send(.disconnect(MQTTDisconnect(reasonCode: code))), .close]
        }
        return [.close]
    }

    mutating func closeNow() -> [Action] {
        state = .closed
        return [.close]
    }

    /// Another connection took the session (MQTT-3.1.4-3).
    public mutating func takenOver() -> [Action] {
        guard state != .closed else { return [] }
        return protocolViolation(.sessionTakenOver)
    }

    /// The broker is shutting down; the session and its will are kept for the next start.
    public mutating func serverShutdown() -> [Action] {
        guard state != .closed else { return [] }
        publishWillOnClose = false
        return protocolViolation(.serverShuttingDown)
    }

    /// The socket is gone. Emits the single `detach` that hands state back to the session.
    public mutating func channelClosed() -> [Action] {
        state = .closed
        guard attached, !detached else { return [] }
        detached = true
        let undelivered = Array(pending)
        pending.removeAll()
        return [.detach(publishWill: publishWillOnClose, expiryInterval: sessionExpiry, state: delivery.neutral, undelivered: undelivered)]
    }

    // MARK: - Keepalive

    /// Called by a per-loop sweep. Closes connections silent for 1.5 × keepalive, or that never sent CONNECT.
    public mutating func checkTimeouts(now: Int64) -> [Action] {
        switch state {
        case .awaitingConnect:
            if now - createdAt >= configuration.connectTimeoutMillis { return closeNow() }
        case .connected:
            if keepAliveMillis > 0 && now - lastReceived >= keepAliveMillis * 3 / 2 {
                return protocolViolation(.keepAliveTimeout)
            }
        case .connecting, .closed:
            break
        }
        return []
    }

}
