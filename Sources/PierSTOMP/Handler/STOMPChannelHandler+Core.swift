import NIOConcurrencyHelpers
import NIOCore
import PierCore
import PierSelector

/// The adapter half of the STOMP handler: each state-machine verb as core calls, and core deliveries
/// back into MESSAGE frames. Every verb answers the machine with `completed` or `failed`.
extension STOMPChannelHandler {
    // MARK: - Destinations

    /// A client-written name as core destinations (composites give several); temporary names are
    /// created on first use and belong to this connection.
    func resolve(_ text: String) throws(STOMPDestinationName.ParseError) -> [Destination] {
        if let last = lastResolved, last.text == text { return last.destinations }
        let resolved = try resolveUncached(text)
        lastResolved = (text, resolved)
        return resolved
    }

    private func resolveUncached(_ text: String) throws(STOMPDestinationName.ParseError) -> [Destination] {
        try STOMPDestinationName.parseList(text).map { name in
            switch name {
            case .queue(let q): return .queue(q)
            case .topic(let t): return .topic(t)
            case .temporaryQueue(let local):
                if let core = temporaryQueues[local] { return .queue(core) }
                let created = broker.queues.createTemporaryQueue(owner: ObjectIdentifier(self))
                temporaryQueues[local] = created
                return .queue(created)
            case .temporaryTopic(let local):
                if let core = temporaryTopics[local] { return .topic(core) }
                let created = broker.queues.createTemporaryTopic(owner: ObjectIdentifier(self))
                temporaryTopics[local] = created
                return .topic(created)
            }
        }
    }

    func format(_ destination: Destination) -> String {
        if let last = lastFormatted, last.destination == destination { return last.text }
        let text = formatUncached(destination)
        lastFormatted = (destination, text)
        return text
    }

    private func formatUncached(_ destination: Destination) -> String {
        if case .topic(let name) = destination, let local = temporaryTopics.first(where: { $0.value == name })?.key {
            return "/temp-topic/" + local
        }
        return STOMPDestinationName.format(destination, temporaryQueueNames: Dictionary(uniqueKeysWithValues: temporaryQueues.map { ($1, $0) }))
    }

    private func authorized(_ destination: Destination, _ verb: AccessVerb) -> Bool {
        guard let identity else { return false }
        return broker.authorizer.authorize(identity, verb, destination)
    }

    // MARK: - SEND

    func publish(_ frame: STOMPFrame, transaction txName: String?, receipt: String?) {
        let destinations: [Destination]
        var replyTo: Destination?
        do {
            destinations = try resolve(frame.header("destination") ?? "")
            if let r = frame.header("reply-to") { replyTo = try resolve(r).first }
        } catch {
            return run(machine.failed(error.description, receipt: receipt))
        }
        for d in destinations where !authorized(d, .publish) {
            return run(machine.failed("Not authorized to send to \(format(d))", receipt: receipt))
        }
        let now = BrokerClock.nowMillis()
        let base = STOMPMessageMapping.message(from: frame, replyTo: replyTo, origin: identity?.clientID ?? "",
                                                now: now, wallNow: BrokerClock.wallMillis())
        let transaction = txName.flatMap { transactions[$0] }
        // The RECEIPT waits for every destination's commit.
        let remaining = NIOLockedValueBox((count: destinations.count, failure: String?.none))
        let finish = core.whenCommitted { [self] in
            let failure = remaining.withLockedValue { $0.failure }
            if let failure { run(machine.failed(failure, receipt: receipt)) } else { run(machine.completed(receipt: receipt)) }
        }
        let one: @Sendable (String?) -> Void = { failure in
            let done = remaining.withLockedValue { r -> Bool in
                r.count -= 1
                if let failure, r.failure == nil { r.failure = failure }
                return r.count == 0
            }
            if done { finish() }
        }
        core.listener.metrics.messagesReceived.increment()
        for d in destinations {
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

    // MARK: - SUBSCRIBE / UNSUBSCRIBE

    func subscribe(_ s: STOMPSubscription, receipt: String?) {
        guard let connection, let session else { return }
        let destinations: [Destination]
        let selector: MessageSelector?
        do {
            destinations = try resolve(s.destination)
            selector = try MessageSelector.compile(s.selector)
        } catch let e as STOMPDestinationName.ParseError {
            return run(machine.failed(e.description, receipt: receipt))
        } catch {
            return run(machine.failed("Invalid selector: \(error)", receipt: receipt))
        }
        guard destinations.count == 1, let destination = destinations.first else {
            return run(machine.failed("Subscribe to one destination at a time", receipt: receipt))
        }
        guard authorized(destination, destination.isQueue ? .consume : .subscribe) else {
            return run(machine.failed("Not authorized to subscribe to \(s.destination)", receipt: receipt))
        }
        var queueName: String?
        switch destination {
        case .queue(let q):
            queueName = q
        case .topic(let filter):
            if let durable = s.durableName, let clientID = machine.clientID {
                do {
                    queueName = try broker.queues.subscribeDurable(DurableSubscription(clientID: clientID, name: durable, filter: filter,
                                                                                       selector: s.selector, noLocal: s.noLocal))
                } catch {
                    return run(machine.failed("Invalid selector: \(error)", receipt: receipt))
                }
            } else {
                if let problem = Topic.validateFilter(filter) {
                    return run(machine.failed("Invalid topic \(s.destination): \(problem)", receipt: receipt))
                }
                let n = nextTopicIdentifier
                nextTopicIdentifier += 1
                topicSubscriptions[n] = TopicSubscription(id: s.id, filter: filter, selector: selector)
                topicIdentifiers[s.id] = n
                _ = broker.subscribe(session: session, filter: filter,
                                     options: SubscriptionOptions(qos: .atLeastOnce, noLocal: s.noLocal, retainHandling: .doNotSend,
                                                                  subscriptionIdentifier: n))
                return run(machine.completed(receipt: receipt))
            }
        }
        guard let queueName else { return }
        if s.browser {
            guard authorized(destination, .browse) else {
                return run(machine.failed("Not authorized to browse \(s.destination)", receipt: receipt))
            }
            return browse(queueName, subscription: s, selector: selector, receipt: receipt)
        }
        let options = ConsumerOptions(prefetch: s.prefetch ?? listener.defaultPrefetch, exclusive: s.exclusive,
                                      selector: s.durableName == nil ? selector : nil, autoAck: s.ackMode == .auto)
        do {
            let consumer = try broker.queues.addConsumer(queue: queueName, options: options, connection: connection,
                                                         owner: ObjectIdentifier(self), start: false)
            consumers[s.id] = consumer
            consumerSubscriptions[ObjectIdentifier(consumer)] = s.id
            run(machine.completed(receipt: receipt))
            broker.queues.startDelivery(consumer)
        } catch {
            run(machine.failed(error.description, receipt: receipt))
        }
    }

    /// ActiveMQ's queue browser: every message now in the queue, in order and without consuming it,
    /// then an empty MESSAGE with `browser:end`.
    private func browse(_ queue: String, subscription s: STOMPSubscription, selector: MessageSelector?, receipt: String?) {
        run(machine.completed(receipt: receipt))
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        for message in broker.queues.browse(queue: queue, selector: selector) {
            let frame = STOMPMessageMapping.frame(for: message, destination: format(message.destination),
                                                  replyTo: message.replyTo.map(format), now: now, wallNow: wall)
            run(machine.deliver(frame, subscriptionID: s.id, messageID: messageID(for: message), tag: nil))
        }
        let end = STOMPFrame(.message, ["destination": s.destination, "browser": "end"])
        run(machine.deliver(end, subscriptionID: s.id, messageID: "ID:pier-browser-end", tag: nil))
        core.scheduleFlush()
    }

    func unsubscribe(_ s: STOMPSubscription, receipt: String?) {
        if let consumer = consumers.removeValue(forKey: s.id) {
            consumerSubscriptions[ObjectIdentifier(consumer)] = nil
            broker.queues.closeConsumer(consumer)
        }
        if let n = topicIdentifiers.removeValue(forKey: s.id), let sub = topicSubscriptions.removeValue(forKey: n), let session {
            // Another subscription of this connection may share the filter; the core holds one per filter.
            if !topicSubscriptions.values.contains(where: { $0.filter == sub.filter }) {
                _ = broker.unsubscribe(session: session, filter: sub.filter)
            }
        }
        run(machine.completed(receipt: receipt))
    }

    func removeDurable(_ name: String, receipt: String?) {
        guard let clientID = machine.clientID else { return run(machine.failed("No client-id", receipt: receipt)) }
        _ = broker.queues.unsubscribeDurable(clientID: clientID, name: name)
        run(machine.completed(receipt: receipt))
    }

    // MARK: - ACK / NACK and transactions

    func settle(_ target: STOMPAckTarget, accept: Bool, transaction txName: String?, receipt: String?) {
        // Topic subscriptions have nothing to settle: their acks are accepted as ActiveMQ does.
        guard let consumer = consumers[target.subscriptionID] else { return run(machine.completed(receipt: receipt)) }
        let transaction = txName.flatMap { transactions[$0] }
        do {
            if accept {
                // A receipted ACK is answered once the removal is durable, so an acknowledged message
                // never comes back after a crash.
                let done = core.whenCommitted { [self] in run(machine.completed(receipt: receipt)) }
                for (i, tag) in target.tags.enumerated() {
                    try broker.queues.ack(consumer, tag: tag, transaction: transaction, onCommit: i == target.tags.count - 1 ? done : nil)
                }
            } else {
                // A NACK releases the message at once, in a transaction too: it goes back through the
                // queue's redelivery count and dead-letter rule.
                for tag in target.tags { try broker.queues.release(consumer, tag: tag) }
                run(machine.completed(receipt: receipt))
            }
        } catch {
            run(machine.failed(error.description, receipt: receipt))
        }
    }

    func commit(_ txName: String, receipt: String?) {
        guard let transaction = transactions.removeValue(forKey: txName) else { return run(machine.completed(receipt: receipt)) }
        let done = core.whenCommitted { [self] in run(machine.completed(receipt: receipt)) }
        broker.queues.commit(transaction, publishTopic: { [broker] m in broker.publish(m) }) { _ in done() }
    }

    /// Everything the connection holds goes back: transactions roll back, consumers close (their
    /// unacknowledged messages are redelivered), temporary destinations and the core session end.
    func releaseEverything() {
        for (_, t) in transactions { broker.queues.rollback(t) }
        transactions = [:]
        for (_, c) in consumers { broker.queues.closeConsumer(c) }
        consumers = [:]
        consumerSubscriptions = [:]
        broker.queues.deleteTemporaryDestinations(owner: ObjectIdentifier(self))
        if let session, let connection {
            broker.detach(session: session, connection: connection, deliveryState: SessionDeliveryState(), publishWill: false, expiryInterval: 0)
        }
        session = nil
        topicSubscriptions = [:]
        topicIdentifiers = [:]
    }

    // MARK: - Deliveries

    public func deliverTopic(_ deliveries: [Delivery]) {
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        let writable = core.context?.channel.isWritable ?? false
        for d in deliveries {
            for n in d.subscriptionIdentifiers {
                guard let sub = topicSubscriptions[n] else { continue }
                if let selector = sub.selector, !selector.matches(d.message) { continue }
                // A consumer that stops reading loses topic messages rather than holding up the broker.
                guard writable else {
                    broker.stats.messagesDropped.increment()
                    continue
                }
                let frame = STOMPMessageMapping.frame(for: d.message, destination: format(d.message.destination),
                                                      replyTo: d.message.replyTo.map(format), now: now, wallNow: wall)
                run(machine.deliver(frame, subscriptionID: sub.id, messageID: messageID(for: d.message), tag: nil))
            }
        }
        core.scheduleFlush()
    }

    public func deliverQueue(_ deliveries: [QueueDelivery]) {
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        for d in deliveries {
            guard let id = consumerSubscriptions[ObjectIdentifier(d.consumer)] else { continue }
            let message = d.message
            let frame = STOMPMessageMapping.frame(for: message, destination: format(message.destination),
                                                  replyTo: message.replyTo.map(format), now: now, wallNow: wall)
            run(machine.deliver(frame, subscriptionID: id, messageID: messageID(for: message), tag: d.tag))
        }
        core.scheduleFlush()
    }

    private func messageID(for message: Message) -> String {
        if message.headers.messageID != nil || message.id != nil { return STOMPMessageMapping.messageID(for: message) }
        defer { nextLocalMessageID += 1 }
        return "ID:pier-\(UInt(bitPattern: ObjectIdentifier(self).hashValue))-\(nextLocalMessageID)"
    }
}
