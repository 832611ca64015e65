import NIOConcurrencyHelpers
import NIOCore
import PierCore

/// The adapter half of message flow: peer transfers published to the core (settled only once a
/// persistent message is committed), outcomes onto the core's ack/release/reject, and core deliveries
/// encoded as transfers.
extension AMQPServerHandler {
    // MARK: - Peer → core

    func publish(_ key: AMQPLinkKey, deliveryID: UInt32, settled: Bool, transaction txnID: ByteBuffer?, payload: ByteBuffer) {
        guard let link = incoming[key] else { return }
        func refuse(_ condition: String, _ description: String) {
            guard !settled else { return }
            run(machine.settleIncoming(key, deliveryID: deliveryID,
                                       state: .rejected(AMQPError(condition: condition, description: description))))
        }
        let amqp: AMQPMessage
        do { amqp = try AMQPMessage(decoding: payload) } catch {
            return refuse(AMQPError.decodeError, "\(error)")
        }
        let annotations = amqp.messageAnnotations
        guard let destination = link.destination
                ?? AMQPAddress.destination(amqp.properties?.to, capabilities: AMQPMessageMapping.jmsKind(annotations, AMQPMessageMapping.jmsDestAnnotation)) else {
            return refuse(AMQPError.notFound, "message without a to address on an anonymous relay link")
        }
        if link.destination == nil {
            // What attach checks for a fixed target, each relayed message gets checked for.
            if case .topic(let t) = destination, t.contains("+") || t.contains("#") {
                return refuse(AMQPError.invalidField, "Cannot send to the wildcard topic \(amqp.properties?.to ?? "")")
            }
            guard identity.map({ broker.authorizer.authorize($0, .publish, destination) }) == true else {
                return refuse(AMQPError.unauthorizedAccess, "Not authorized to send to \(amqp.properties?.to ?? "")")
            }
        }
        let replyTo = AMQPAddress.destination(amqp.properties?.replyTo,
                                              capabilities: AMQPMessageMapping.jmsKind(annotations, AMQPMessageMapping.jmsReplyToAnnotation))
        let now = BrokerClock.nowMillis()
        let message = AMQPMessageMapping.message(from: amqp, destination: destination, replyTo: replyTo,
                                                 origin: containerID ?? identity?.clientID ?? "", now: now, wallNow: BrokerClock.wallMillis())
        core.listener.metrics.messagesReceived.increment()
        if let txnID {
            // Staged in the transaction: accepted now, applied (and made durable) at discharge.
            guard let transaction = transactions[Array(txnID.readableBytesView)] else {
                return refuse(Self.unknownTransaction, "no transaction \(Self.hex(txnID)) on this connection")
            }
            do throws(QueueError) {
                switch destination {
                case .topic(let t):
                    try broker.queues.checkTopic(t)
                    try broker.queues.stagePublish(message, in: transaction)
                case .queue(let q):
                    let failure = NIOLockedValueBox<QueueError?>(nil)
                    broker.queues.send(message, to: q, transaction: transaction) { result in
                        if case .failure(let e) = result { failure.withLockedValue { $0 = e } }
                    }
                    if let e = failure.withLockedValue({ $0 }) { throw e }
                }
            } catch {
                return refuse(Self.condition(for: error), error.description)
            }
            if !settled {
                run(machine.settleIncoming(key, deliveryID: deliveryID, state: .transactional(txnID: txnID, outcome: .accepted)))
            }
            return
        }
        if settled {
            switch destination {
            case .topic(let t):
                guard (try? broker.queues.checkTopic(t)) != nil else { return }
                broker.publish(message)
            case .queue(let q):
                broker.queues.send(message, to: q) { _ in }
            }
            return
        }
        let outcome = NIOLockedValueBox<AMQPError?>(nil)
        let done = core.whenCommitted { [self] in
            if let error = outcome.withLockedValue({ $0 }) {
                run(machine.settleIncoming(key, deliveryID: deliveryID, state: .rejected(error)))
            } else {
                queueAccepted(key, deliveryID: deliveryID)
            }
        }
        switch destination {
        case .topic(let t):
            do { try broker.queues.checkTopic(t) } catch {
                outcome.withLockedValue { $0 = AMQPError(condition: AMQPError.invalidField, description: error.description) }
                return done()
            }
            broker.publish(message, onCommit: done)
        case .queue(let q):
            broker.queues.send(message, to: q) { result in
                if case .failure(let e) = result {
                    outcome.withLockedValue { $0 = AMQPError(condition: Self.condition(for: e), description: e.description) }
                }
                done()
            }
        }
    }

    static func condition(for error: QueueError) -> String {
        switch error {
        case .full: return AMQPError.resourceLimitExceeded
        case .deletedTemporaryDestination: return AMQPError.notFound
        case .notAuthorized: return AMQPError.unauthorizedAccess
        case .unknownDeliveryTag, .transactionClosed: return AMQPError.internalError
        }
    }

    // MARK: - Outcomes of our deliveries

    func settleOutgoing(_ key: AMQPLinkKey, token: UInt64, state: AMQPDeliveryState?) {
        guard case .queue(let consumer)? = outgoing[key]?.kind else { return }
        do {
            switch state {
            case .transactional(let id, let outcome)?:
                // An ack in a transaction takes effect at commit; other outcomes act at once.
                if let transaction = transactions[Array(id.readableBytesView)], outcome == nil || outcome == .accepted {
                    try broker.queues.ack(consumer, tag: token, transaction: transaction)
                } else {
                    settleOutgoing(key, token: token, state: outcome)
                }
            case .accepted?, nil, .received?, .declared?:
                try broker.queues.ack(consumer, tag: token)
            case .released?:
                try broker.queues.release(consumer, tag: token, countsAsFailure: false)
            case .modified(let failed, _, _)?:
                try broker.queues.release(consumer, tag: token, countsAsFailure: failed)
            case .rejected(let error)?:
                try broker.queues.reject(consumer, tag: token, reason: error?.description ?? "rejected")
            }
        } catch {
            logger.debug("outcome for an unknown delivery", metadata: ["link": "\(key)", "error": "\(error)"])
        }
    }

    // MARK: - Core → peer

    func encode(_ message: Message, into buffer: inout ByteBuffer, now: Int64, wallNow: Int64) {
        let amqp = AMQPMessageMapping.amqp(message, to: AMQPAddress.format(message.destination),
                                           replyTo: message.replyTo.map(AMQPAddress.format), now: now, wallNow: wallNow)
        amqp.encode(into: &buffer)
    }

    private func payload(for message: Message, now: Int64, wallNow: Int64) -> ByteBuffer {
        var buffer = core.context?.channel.allocator.buffer(capacity: message.payload.readableBytes + 160) ?? ByteBuffer()
        encode(message, into: &buffer, now: now, wallNow: wallNow)
        return buffer
    }

    public func deliverQueue(_ deliveries: [QueueDelivery]) {
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        for d in deliveries {
            guard let key = consumerLinks[ObjectIdentifier(d.consumer)] else {
                try? broker.queues.release(d.consumer, tag: d.tag, countsAsFailure: false)
                continue
            }
            let (actions, dropped) = machine.deliver(key, token: d.tag, payload: payload(for: d.message, now: now, wallNow: wall))
            if dropped {
                try? broker.queues.release(d.consumer, tag: d.tag, countsAsFailure: false)
                continue
            }
            core.listener.metrics.messagesSent.increment()
            run(actions)
        }
        core.scheduleFlush()
    }

    public func deliverTopic(_ deliveries: [Delivery]) {
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        for d in deliveries {
            for n in d.subscriptionIdentifiers {
                guard let key = topicLinks[n], case .topic(_, _, let selector, let noLocal)? = outgoing[key]?.kind else { continue }
                if noLocal && d.message.origin == containerID { continue }
                if let selector, !selector.matches(d.message) { continue }
                let (actions, dropped) = machine.deliver(key, token: 0, payload: payload(for: d.message, now: now, wallNow: wall))
                if dropped {
                    // A receiver that grants no credit loses topic messages rather than holding up the broker.
                    broker.stats.messagesDropped.increment()
                    continue
                }
                core.listener.metrics.messagesSent.increment()
                run(actions)
            }
        }
        core.scheduleFlush()
    }
}
