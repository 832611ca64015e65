import PierCore
import PierSelector

/// The adapter half of link attach and detach: termini resolved to core destinations, consumers,
/// topic and durable subscriptions, dynamic nodes, and what each detach gives back.
extension AMQPServerHandler {
    static let selectorFilterCode: UInt64 = 0x0000_468C_0000_0004
    static let selectorFilterName = "apache.org:selector-filter:string"
    static let noLocalFilterCode: UInt64 = 0x0000_468C_0000_0003
    static let noLocalFilterName = "apache.org:no-local-filter:list"

    private func authorized(_ destination: Destination, _ verb: AccessVerb) -> Bool {
        guard let identity else { return false }
        return broker.authorizer.authorize(identity, verb, destination)
    }

    /// A temporary queue, or a temporary topic when the terminus asks for one (qpid-jms's
    /// `temporary-topic` capability), owned by this connection.
    private func createDynamicNode(capabilities: [String]) -> Destination {
        if capabilities.contains("temporary-topic") || capabilities.contains("topic") {
            return .topic(broker.queues.createTemporaryTopic(owner: ObjectIdentifier(self)))
        }
        return .queue(broker.queues.createTemporaryQueue(owner: ObjectIdentifier(self)))
    }

    // MARK: - Peer senders

    func attachIncoming(_ key: AMQPLinkKey, _ attach: AMQPAttach) {
        var reply = AMQPAttach(name: attach.name, handle: key.handle, role: .receiver, sndSettleMode: attach.sndSettleMode,
                               rcvSettleMode: .first, source: attach.source, target: attach.target)
        if let coordinator = attach.coordinator {
            // Local transactions onto the core's: one coordinator link per controller, any number of them.
            reply.target = nil
            reply.coordinator = coordinator
            incoming[key] = IncomingLink(destination: nil, coordinator: true)
            return run(machine.acceptIncoming(key, reply: reply))
        }
        guard var target = attach.target else {
            return run(machine.refuseLink(key, reply: reply, error: AMQPError(condition: AMQPError.invalidField, description: "attach without a target")))
        }
        var destination: Destination?
        if target.dynamic {
            // Lives as long as the connection (a sender's link is not what reads it).
            let node = createDynamicNode(capabilities: target.capabilities)
            target.address = AMQPAddress.format(node)
            destination = node
        } else {
            destination = AMQPAddress.destination(target.address, capabilities: target.capabilities)
        }
        if let destination {
            guard authorized(destination, .publish) else {
                return run(machine.refuseLink(key, reply: reply, error: AMQPError(condition: AMQPError.unauthorizedAccess,
                                                                                 description: "Not authorized to send to \(target.address ?? "")")))
            }
            if case .topic(let t) = destination, (try? broker.queues.checkTopic(t)) == nil || t.contains("+") || t.contains("#") {
                return run(machine.refuseLink(key, reply: reply, error: AMQPError(condition: AMQPError.invalidField,
                                                                                 description: "Cannot send to topic \(target.address ?? "")")))
            }
        }
        reply.target = target
        incoming[key] = IncomingLink(destination: destination)
        run(machine.acceptIncoming(key, reply: reply))
    }

    // MARK: - Peer receivers

    func attachOutgoing(_ key: AMQPLinkKey, _ attach: AMQPAttach) {
        var reply = AMQPAttach(name: attach.name, handle: key.handle, role: .sender, sndSettleMode: attach.sndSettleMode,
                               rcvSettleMode: .first, source: attach.source, target: attach.target)
        func refuse(_ condition: String, _ description: String) {
            run(machine.refuseLink(key, reply: reply, error: AMQPError(condition: condition, description: description)))
        }
        let presettled = attach.sndSettleMode == .settled
        guard let session else { return refuse(AMQPError.internalError, "connection not ready") }
        guard var source = attach.source, source.address != nil || source.dynamic else {
            // Link recovery (a null source, or one without an address): the durable subscription this
            // container made under this link name.
            guard let clientID = containerID,
                  let found = broker.queues.durableSubscriptions.first(where: { $0.clientID == clientID && $0.name == attach.name }) else {
                return refuse(AMQPError.notFound, "no durable subscription named \(attach.name)")
            }
            guard authorized(.topic(found.filter), .subscribe) else {
                return refuse(AMQPError.unauthorizedAccess, "Not authorized to subscribe to \(AMQPAddress.format(.topic(found.filter)))")
            }
            var recovered = AMQPSource(address: AMQPAddress.format(.topic(found.filter)))
            recovered.durable = 2
            recovered.expiryPolicy = "never"
            recovered.capabilities = ["topic"]
            reply.source = recovered
            return consume(key, queue: found.queueName, reply: reply, selector: nil, presettled: presettled,
                           link: OutgoingLink(kind: .browse, address: recovered.address ?? "", durable: (clientID, attach.name)))
        }
        var temporary: String?
        let destination: Destination
        if source.dynamic {
            destination = createDynamicNode(capabilities: source.capabilities)
            temporary = destination.name
            source.address = AMQPAddress.format(destination)
        } else {
            guard let d = AMQPAddress.destination(source.address, capabilities: source.capabilities) else {
                return refuse(AMQPError.invalidField, "a receiver needs a source address")
            }
            destination = d
        }
        var selectorText: String?
        var noLocal = false
        for entry in source.filter?.entries ?? [] {
            guard case .described(let descriptor, let value) = entry.value else { continue }
            if descriptor == .ulong(Self.selectorFilterCode) || descriptor == .symbol(Self.selectorFilterName), case .string(let s) = value {
                selectorText = s
            } else if descriptor == .ulong(Self.noLocalFilterCode) || descriptor == .symbol(Self.noLocalFilterName) {
                noLocal = true
            }
        }
        let selector: MessageSelector?
        do { selector = try MessageSelector.compile(selectorText) } catch {
            return refuse(AMQPError.invalidField, "invalid selector: \(error)")
        }
        source.capabilities = source.capabilities.isEmpty ? [AMQPAddress.capability(destination)] : source.capabilities
        reply.source = source
        switch destination {
        case .queue(let queue):
            guard authorized(destination, source.distributionMode == "copy" ? .browse : .consume) else {
                return refuse(AMQPError.unauthorizedAccess, "Not authorized to receive from \(source.address ?? "")")
            }
            if source.distributionMode == "copy" {
                outgoing[key] = OutgoingLink(kind: .browse, address: source.address ?? "", temporary: temporary)
                run(machine.acceptOutgoing(key, reply: reply))
                return browse(key, queue: queue, selector: selector)
            }
            consume(key, queue: queue, reply: reply, selector: selector, presettled: presettled,
                    link: OutgoingLink(kind: .browse, address: source.address ?? "", temporary: temporary))
        case .topic(let filter):
            guard authorized(destination, .subscribe) else {
                return refuse(AMQPError.unauthorizedAccess, "Not authorized to subscribe to \(source.address ?? "")")
            }
            if let problem = Topic.validateFilter(filter) { return refuse(AMQPError.invalidField, "invalid topic: \(problem)") }
            if source.durable > 0 || source.expiryPolicy == "never" {
                guard let clientID = containerID else { return refuse(AMQPError.invalidField, "no container id") }
                let queue: String
                do {
                    queue = try broker.queues.subscribeDurable(DurableSubscription(clientID: clientID, name: attach.name, filter: filter,
                                                                                    selector: selectorText, noLocal: noLocal))
                } catch {
                    return refuse(AMQPError.invalidField, "invalid selector: \(error)")
                }
                return consume(key, queue: queue, reply: reply, selector: nil, presettled: presettled,
                               link: OutgoingLink(kind: .browse, address: source.address ?? "", durable: (clientID, attach.name)))
            }
            let n = nextTopicIdentifier
            nextTopicIdentifier += 1
            outgoing[key] = OutgoingLink(kind: .topic(identifier: n, filter: filter, selector: selector, noLocal: noLocal),
                                         address: source.address ?? "", temporary: temporary)
            topicLinks[n] = key
            run(machine.acceptOutgoing(key, reply: reply))
            _ = broker.subscribe(session: session, filter: filter,
                                 options: SubscriptionOptions(qos: .atLeastOnce, retainHandling: .doNotSend,
                                                              subscriptionIdentifier: n))
        }
    }

    /// A queue consumer whose credit is the link's: none until the peer's first flow.
    private func consume(_ key: AMQPLinkKey, queue: String, reply: AMQPAttach, selector: MessageSelector?, presettled: Bool, link: OutgoingLink) {
        guard let connection else { return }
        let options = ConsumerOptions(prefetch: 0, creditReturnsOnAck: false, selector: selector, autoAck: presettled)
        do {
            let consumer = try broker.queues.addConsumer(queue: queue, options: options, connection: connection,
                                                         owner: ObjectIdentifier(self), start: false)
            var link = link
            link.kind = .queue(consumer)
            outgoing[key] = link
            consumerLinks[ObjectIdentifier(consumer)] = key
            run(machine.acceptOutgoing(key, reply: reply))
        } catch {
            run(machine.refuseLink(key, reply: reply, error: AMQPError(condition: AMQPError.internalError, description: error.description)))
        }
    }

    /// distribution-mode copy: the queue's messages now, pre-settled and without consuming them.
    private func browse(_ key: AMQPLinkKey, queue: String, selector: MessageSelector?) {
        let now = BrokerClock.nowMillis(), wall = BrokerClock.wallMillis()
        for message in broker.queues.browse(queue: queue, selector: selector) {
            var payload = core.context?.channel.allocator.buffer(capacity: message.payload.readableBytes + 128) ?? .init()
            encode(message, into: &payload, now: now, wallNow: wall)
            let (actions, dropped) = machine.deliver(key, token: 0, payload: payload)
            if dropped { break }
            run(actions)
        }
        core.scheduleFlush()
    }

    // MARK: - Detach

    func linkDetached(_ key: AMQPLinkKey, closed: Bool) {
        incoming[key] = nil
        guard let link = outgoing.removeValue(forKey: key) else { return }
        switch link.kind {
        case .queue(let consumer):
            consumerLinks[ObjectIdentifier(consumer)] = nil
            broker.queues.closeConsumer(consumer)
        case .topic(let n, let filter, _, _):
            topicLinks[n] = nil
            let shared = outgoing.values.contains { if case .topic(_, let f, _, _) = $0.kind { return f == filter } else { return false } }
            if !shared, let session { _ = broker.unsubscribe(session: session, filter: filter) }
        case .browse:
            break
        }
        if let temporary = link.temporary {
            broker.queues.deleteTemporaryDestination(temporary, owner: ObjectIdentifier(self))
        }
        if closed, let durable = link.durable {
            _ = broker.queues.unsubscribeDurable(clientID: durable.clientID, name: durable.name)
        }
    }
}
