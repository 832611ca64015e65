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

    private let policy: MQTTConnectionPolicy
    public var configuration: MQTTServerConfiguration { policy.configuration }
    private var authorizer: any Authorizer { policy.authorizer }
    private(set) var state: State = .awaitingConnect
    public private(set) var version: MQTTProtocolVersion = .v3_1_1
    public private(set) var clientID = ""
    private var keepAliveMillis: Int64 = 0
    private var lastReceived: Int64
    private let createdAt: Int64
    private var sessionExpiry: UInt32 = 0
    private var publishWillOnClose = true
    private var attached = false
    /// False while the socket's send buffer is over its high-water mark: a client that doesn't read
    /// must not make the broker buffer without bound.
    private var writable = true
    private var detached = false

    // Flow limits the client asked for.
    private var clientReceiveMaximum = Int(UInt16.max)
    private var clientMaximumPacketSize = Int.max
    private var clientTopicAliasMaximum: UInt16 = 0

    // Delivery state (resumed from the session when it is present).
    private var delivery = MQTTDeliveryState()
    private var pending = MessageQueue<Delivery>()
    private var inboundAliases: [UInt16: String] = [:]
    private var outboundAliases: [String: UInt16] = [:]
    private var identity = ClientIdentity(clientID: "", username: nil)

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

    // MARK: - CONNECT

    private mutating func handleConnect(_ connect: MQTTConnect, now: Int64) -> [Action] {
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

    private static func generateClientID() -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "pier-" + String((0..<16).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }

    private mutating func refuse(_ code: MQTTReasonCode) -> [Action] {
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

    // MARK: - PUBLISH from the client

    private mutating func handlePublish(_ incoming: MQTTPublish, now: Int64) -> [Action] {
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

    private mutating func handlePubRel(_ ack: MQTTPubAck) -> [Action] {
        if delivery.incomingExactlyOnce.remove(ack.packetID) != nil {
            return [.release(packetID: ack.packetID, ack: .pubcomp(MQTTPubAck(packetID: ack.packetID)))]
        }
        if version != .v5 {
            return [.send(.pubcomp(MQTTPubAck(packetID: ack.packetID)))]
        }
        return [.send(.pubcomp(MQTTPubAck(packetID: ack.packetID, reasonCode: .packetIdentifierNotFound)))]
    }

    // MARK: - Acknowledgements of our PUBLISHes

    private mutating func handleAck(_ packetID: UInt16, expecting qos: QoS, now: Int64) -> [Action] {
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

    private mutating func handlePubRec(_ ack: MQTTPubAck, now: Int64) -> [Action] {
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

    // MARK: - SUBSCRIBE / UNSUBSCRIBE

    private mutating func handleSubscribe(_ subscribe: MQTTSubscribe) -> [Action] {
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

    private mutating func handleDisconnect(_ disconnect: MQTTDisconnect) -> [Action] {
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
    private mutating func protocolViolation(_ code: MQTTReasonCode) -> [Action] {
        state = .closed
        if version == .v5 {
            return [.send(.disconnect(MQTTDisconnect(reasonCode: code))), .close]
        }
        return [.close]
    }

    private mutating func closeNow() -> [Action] {
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

    // MARK: - Outgoing deliveries

    public mutating func deliver(_ deliveries: [Delivery], now: Int64) -> [Action] {
        guard state == .connected else {
            return state == .closed ? [.requeue(deliveries)] : deliveriesHeld(deliveries)
        }
        var actions: [Action] = []
        for d in deliveries { deliverOne(d, now: now, into: &actions) }
        return actions
    }

    private mutating func deliveriesHeld(_ deliveries: [Delivery]) -> [Action] {
        for d in deliveries { pending.append(d) }
        return []
    }

    private var windowSize: Int { min(configuration.maxInflight, clientReceiveMaximum) }

    /// The socket's writability changed; resume sending queued messages when it drains.
    public mutating func writabilityChanged(_ isWritable: Bool, now: Int64) -> [Action] {
        writable = isWritable
        guard isWritable, state == .connected else { return [] }
        var actions: [Action] = []
        pump(now: now, into: &actions)
        return actions
    }

    private mutating func deliverOne(_ d: Delivery, now: Int64, into actions: inout [Action], bounded: Bool = true) {
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
    private mutating func pump(now: Int64, into actions: inout [Action]) {
        while writable, delivery.outgoing.count < windowSize, let next = pending.popFirst() {
            if next.message.isExpired(now: now) {
                actions.append(.dropped(next))
                continue
            }
            send(next, now: now, into: &actions)
        }
    }

    private mutating func send(_ d: Delivery, now: Int64, into actions: inout [Action]) {
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

    private mutating func nextPacketID() -> UInt16 {
        while true {
            let id = delivery.nextPacketID
            delivery.nextPacketID = id == UInt16.max ? 1 : id + 1
            if !delivery.outgoing.contains(where: { $0.packetID == id }) { return id }
        }
    }

    /// Builds the PUBLISH for a delivery, or nil when it exceeds the client's Maximum Packet Size.
    private mutating func encodePublish(_ d: Delivery, packetID: UInt16?, now: Int64, allowAlias: Bool) -> MQTTPublish? {
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
