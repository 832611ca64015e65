import NIOConcurrencyHelpers
import NIOCore
import PierCore
import PierSelector

/// The adapter half of the OpenWire handler: each state-machine verb as core calls, and core
/// deliveries back into MessageDispatch commands. Every verb that answers the client calls the
/// machine's `completed` or `failed`.
extension OpenWireChannelHandler {
    var owner: ObjectIdentifier { ObjectIdentifier(self) }

    // MARK: - Admission

    func admit(_ info: OpenWireConnectionInfo, _ request: OpenWireRequest) {
        guard let context = core.context else { return }
        let generated = "openwire-" + String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 36)
        let clientID = info.clientId ?? generated
        let identity = ClientIdentity(clientID: clientID, username: info.userName, listener: listener.common.name,
                                      remoteAddress: core.remoteAddress)
        switch core.admit(username: info.userName, password: info.password.map { Array($0.utf8) }, identity: identity) {
        case .accepted: break
        case .serverBusy:
            return run(machine.connectRefused(request, OpenWireErrorClass.jms, "Too many connections"))
        case .badCredentials:
            return run(machine.connectRefused(request, OpenWireErrorClass.security,
                                              "User name [\(info.userName ?? "")] or password is invalid."))
        case .notAuthorized:
            return run(machine.connectRefused(request, OpenWireErrorClass.security,
                                              "User \(info.userName ?? "") is not authorized to connect"))
        }
        if let id = info.clientId {
            guard shared.claimClientID(id, owner: owner, takeOver: info.failoverReconnect) else {
                return run(machine.connectRefused(request, OpenWireErrorClass.invalidClientID,
                                                  "Broker: \(listener.machine.brokerName) - Client: \(id) already connected"))
            }
            claimedClientID = id
        }
        self.identity = identity
        let connection = OpenWireDeliveryConnection(self, eventLoop: context.eventLoop)
        self.connection = connection
        admitting = true
        // A core session of its own for topic subscriptions: the JMS client id is for durable
        // subscriptions and uniqueness, not a session to take over.
        sessionClientID = generated
        let sessionIdentity = ClientIdentity(clientID: generated, username: info.userName, listener: listener.common.name,
                                             remoteAddress: core.remoteAddress)
        core.attachOwnSession(identity: sessionIdentity, connection: connection) { outcome in
            self.admitting = false
            switch outcome {
            case .attached(let session):
                self.session = session
                self.run(self.machine.connectAdmitted(request))
            case .closedMeanwhile(let session):
                self.session = session
                return self.releaseEverything()
            case .failed:
                self.run(self.machine.connectRefused(request, OpenWireErrorClass.jms, "Server unavailable"))
            }
            self.processInbound()
            self.flush()
        }
    }

    func authorized(_ destination: Destination, _ verb: AccessVerb) -> Bool {
        guard let identity else { return false }
        return broker.authorizer.authorize(identity, verb, destination)
    }

    func notAuthorized(_ d: OpenWireDestination, write: Bool) -> String {
        "User \(identity?.username ?? "") is not authorized to \(write ? "write to" : "read from"): \(d)"
    }

    // MARK: - Destinations

    enum Resolved {
        case core(Destination)
        /// A temporary destination that no longer exists (or never did).
        case deleted(OpenWireDestination)
    }

    func resolve(_ destination: OpenWireDestination) -> [Resolved] {
        OpenWireDestinationName.split(destination).compactMap { part in
            if part.kind.isTemporary {
                guard let name = part.physicalName, let t = shared.temporary(name) else { return .deleted(part) }
                return .core(part.kind == .tempQueue ? .queue(t.coreName) : .topic(t.coreName))
            }
            return OpenWireDestinationName.core(part).map { .core($0) }
        }
    }

    func format(_ destination: Destination) -> OpenWireDestination {
        if destination.name.hasPrefix("ID:"), let temp = shared.clientName(forCore: destination.name) { return temp }
        return OpenWireDestinationName.openWire(destination)
    }

    // MARK: - Sends

    /// The JMS message ids of every message the queues hold, to seed the producer audit.
    func storedMessageIds() -> [OpenWireMessageId] {
        broker.queues.queueNames.flatMap { name in
            broker.queues.browse(queue: name).compactMap { $0.headers.messageID.flatMap(OpenWireMessageMapping.parseMessageID) }
        }
    }

    func produce(_ m: OpenWireMessage, _ request: OpenWireRequest) {
        guard let destination = m.destination else { return }
        var targets: [Destination] = []
        for r in resolve(destination) {
            switch r {
            case .core(let d): targets.append(d)
            case .deleted(let d):
                // ActiveMQ refuses a synchronous send to a deleted temporary destination and drops an asynchronous one.
                if request.responseRequired {
                    return run(machine.failed(request, OpenWireErrorClass.destinationDoesNotExist,
                                              "Cannot publish to a deleted Destination: \(d)"))
                }
                return
            }
        }
        for d in targets where !authorized(d, .publish) {
            return run(machine.failed(request, OpenWireErrorClass.security, notAuthorized(destination, write: true)))
        }
        let replyTo = m.replyTo.flatMap { r -> Destination? in
            if case .core(let d)? = resolve(r).first { return d }
            return OpenWireDestinationName.core(r)
        }
        let base: Message
        do {
            base = try OpenWireMessageMapping.message(from: m, destination: targets.first ?? .queue(""), replyTo: replyTo,
                                                      origin: sessionClientID, now: BrokerClock.nowMillis())
        } catch {
            return run(machine.failed(request, OpenWireErrorClass.jms, error.description))
        }
        // A send outside a transaction the failover transport replays after a reconnect (to this broker or
        // to the standby that took over) was perhaps stored already, or is being stored for the connection
        // that dropped: acknowledge it once that copy is stored, without storing it again.
        let audited = m.transactionId == nil ? m.messageId : nil
        if let audited {
            let found = shared.beginSend(audited, stored: storedMessageIds) {
                let outcome = NIOLockedValueBox(String?.none)
                let answer = core.whenCommitted { [self] in
                    if let failure = outcome.withLockedValue({ $0 }) {
                        run(machine.failed(request, OpenWireErrorClass.jms, failure))
                    } else {
                        run(machine.completed(request))
                    }
                }
                return { failure in
                    outcome.withLockedValue { $0 = failure }
                    answer()
                }
            }
            if found != .fresh {
                logger.debug("duplicate OpenWire send dropped", metadata: [
                    "messageId": "\(OpenWireMessageMapping.messageIDString(audited))", "original": "\(found)"])
                if found == .stored { run(machine.completed(request)) }
                return
            }
        }
        let transaction = m.transactionId.flatMap { transactions[$0]?.queue }
        // The Response waits for every destination's commit.
        let remaining = NIOLockedValueBox((count: targets.count, failure: String?.none))
        let finish = core.whenCommitted { [self] in
            if let failure = remaining.withLockedValue({ $0.failure }) {
                run(machine.failed(request, OpenWireErrorClass.jms, failure))
            } else {
                run(machine.completed(request))
            }
        }
        let shared = self.shared
        let one: @Sendable (String?) -> Void = { failure in
            let (done, outcome) = remaining.withLockedValue { r -> (Bool, String?) in
                r.count -= 1
                if let failure, r.failure == nil { r.failure = failure }
                return (r.count == 0, r.failure)
            }
            guard done else { return }
            // Recorded even if this connection has closed meanwhile: its resend may be waiting on another.
            if let audited { shared.finishSend(audited, failure: outcome) }
            finish()
        }
        if targets.isEmpty {
            if let audited { shared.finishSend(audited, failure: nil) }
            finish()
        }
        core.listener.metrics.messagesReceived.increment()
        for d in targets {
            var message = base
            message.destination = d
            switch d {
            case .topic(let t):
                do { try broker.queues.checkTopic(t) } catch { one(error.description); continue }
                if let transaction {
                    do { try broker.queues.stagePublish(message, in: transaction); one(nil) } catch { one(error.description) }
                } else {
                    broker.publish(message, onCommit: { one(nil) })
                }
            case .queue(let q):
                broker.queues.send(message, to: q, transaction: transaction) { result in
                    if case .failure(let e) = result { one(e.description) } else { one(nil) }
                }
            }
        }
    }

    // MARK: - Acknowledgements, pulls and transactions

    func settle(_ s: OpenWireSettlement) {
        guard let state = consumers[s.consumerId], let first = state.queue else { return }
        // A composite consumer's message is settled on the queue that holds it.
        func holder(_ tag: UInt64) -> QueueConsumer {
            guard !state.otherQueues.isEmpty else { return first }
            return state.otherQueues.first { broker.queues.holds($0, tag: tag) } ?? first
        }
        if let tx = s.transactionId, let t = transactions[tx] {
            t.acks += s.tags.map { (holder($0), $0) }
            return
        }
        for tag in s.tags {
            let q = holder(tag)
            switch s.outcome {
            case .consumed: try? broker.queues.ack(q, tag: tag)
            case .poison(let cause): try? broker.queues.reject(q, tag: tag, reason: cause)
            }
        }
    }

    func pull(_ p: OpenWireMessagePull) {
        guard let id = p.consumerId, var state = consumers[id] else { return }
        guard let q = state.queue else {
            if p.timeout != 0 { run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: state.info.destination), tag: nil)) }
            return
        }
        if !state.pullOutstanding {
            state.pullOutstanding = true
            for queue in [q] + state.otherQueues { broker.queues.grantCredit(queue, 1) }
        }
        state.pullGeneration += 1
        let generation = state.pullGeneration
        consumers[id] = state
        guard p.timeout != 0, let loop = core.eventLoop else { return }
        // receiveNoWait (-1) gets a moment for a waiting message to arrive through dispatch.
        let wait = p.timeout > 0 ? p.timeout : 20
        loop.assumeIsolated().scheduleTask(in: .milliseconds(wait)) { [self] in
            guard var s = consumers[id], s.pullOutstanding, s.pullGeneration == generation, let q = s.queue else { return }
            s.pullOutstanding = false
            consumers[id] = s
            for queue in [q] + s.otherQueues { broker.queues.setCredit(queue, 0) }
            run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: s.info.destination), tag: nil))
            flush()
        }
    }

    func commit(_ tx: OpenWireTransactionId, _ request: OpenWireRequest) {
        guard let t = transactions.removeValue(forKey: tx) else { return run(machine.completed(request)) }
        for (q, tag) in t.acks { try? broker.queues.ack(q, tag: tag, transaction: t.queue) }
        let done = core.whenCommitted { [self] in run(machine.completed(request)) }
        broker.queues.commit(t.queue, publishTopic: { [broker] m in broker.publish(m) }) { _ in done() }
    }

    // MARK: - Release

    /// Everything the connection holds goes back: transactions roll back, consumers close (their
    /// unacknowledged messages are redelivered), temporary destinations and the core session end.
    func releaseEverything() {
        for (_, t) in transactions { broker.queues.rollback(t.queue) }
        transactions = [:]
        for id in Array(consumers.keys) { removeConsumer(id) }
        shared.unsubscribeAdvisories(owner: owner)
        advisoryConsumers = [:]
        for name in shared.temporaries(ownedBy: owner) { shared.removeTemporary(name) }
        broker.queues.deleteTemporaryDestinations(owner: owner)
        if let id = claimedClientID { shared.releaseClientID(id, owner: owner) }
        claimedClientID = nil
        if let session, let connection {
            broker.detach(session: session, connection: connection, deliveryState: SessionDeliveryState(), publishWill: false, expiryInterval: 0)
        }
        session = nil
        topicSubscriptions = [:]
        coreFilters = [:]
    }

    // MARK: - Deliveries

    func jmsMessage(_ message: Message) -> OpenWireMessage {
        let fallback: OpenWireMessageId
        if message.headers.messageID == nil, let id = message.id {
            fallback = OpenWireMessageId(producerId: OpenWireProducerId(connectionId: "ID:pier-core", sessionId: 0, value: 0),
                                         producerSequenceId: Int64(clamping: id), brokerSequenceId: Int64(clamping: id))
        } else {
            fallback = nextLocalMessageId()
        }
        var m = OpenWireMessageMapping.openWire(message, destination: format(message.destination),
                                                replyTo: message.replyTo.map(format), fallbackID: fallback)
        if case .string(let original)? = message.property(QueueManager.originalDestinationProperty), original.hasPrefix("queue://") {
            m.originalDestination = .queue(String(original.dropFirst(8)))
        }
        return m
    }

    public func deliverTopic(_ deliveries: [Delivery]) {
        let writable = core.context?.channel.isWritable ?? false
        let filterOf = Dictionary(uniqueKeysWithValues: coreFilters.map { ($1, $0) })
        for d in deliveries {
            let filters = Set(d.subscriptionIdentifiers.compactMap { filterOf[$0] })
            var reached = Set<OpenWireConsumerId>()
            for (_, sub) in topicSubscriptions.sorted(by: { $0.key < $1.key }) where filters.contains(sub.filter) {
                guard reached.insert(sub.consumerId).inserted else { continue }
                if sub.noLocal && d.message.origin == sessionClientID { continue }
                if let selector = sub.selector, !selector.matches(d.message) { continue }
                // A consumer that stops reading loses topic messages rather than holding up the broker.
                guard writable else {
                    broker.stats.messagesDropped.increment()
                    continue
                }
                let m = topicMessage(d.message)
                run(machine.deliver(OpenWireMessageDispatch(consumerId: sub.consumerId, destination: m.destination, message: m,
                                                            redeliveryCounter: m.redeliveryCounter), tag: nil))
            }
        }
        core.scheduleFlush()
    }

    /// `jmsMessage`, converted once per message and event loop rather than once per subscriber.
    private func topicMessage(_ message: Message) -> OpenWireMessage {
        let memo = OpenWireTopicMessageMemo.current
        let listenerID = ObjectIdentifier(shared)
        if let m = memo.converted(message, listener: listenerID) { return m }
        let m = jmsMessage(message)
        // A message with no usable JMS id gets one of this connection's: that conversion is not shared.
        if m.messageId?.producerId != localProducerId { memo.remember(message, as: m, listener: listenerID) }
        return m
    }

    public func deliverQueue(_ deliveries: [QueueDelivery]) {
        for d in deliveries {
            guard let id = queueConsumers[ObjectIdentifier(d.consumer)] else { continue }
            let pulled = consumers[id]?.pullOutstanding == true
            if pulled { consumers[id]?.pullOutstanding = false }
            if consumers[id]?.otherQueues.isEmpty == false { compositeDispatched(id, d.consumer, pulled: pulled) }
            let m = jmsMessage(d.message)
            run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: m.destination, message: m,
                                                        redeliveryCounter: m.redeliveryCounter), tag: d.tag))
        }
        core.scheduleFlush()
    }
}
