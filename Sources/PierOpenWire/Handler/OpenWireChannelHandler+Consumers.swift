import NIOConcurrencyHelpers
import NIOCore
import PierCore
import PierSelector

/// ConsumerInfo and RemoveInfo as core consumers: queue consumers with OpenWire-managed prefetch, one core
/// subscription per topic per connection, durable subscribers, browsers and their end-of-browse dispatch.
extension OpenWireChannelHandler {
    // MARK: - Consumers

    func addConsumer(_ info: OpenWireConsumerInfo, _ request: OpenWireRequest) {
        guard let id = info.consumerId, let destination = info.destination, let connection, let session else { return }
        func refuse(_ className: String, _ message: String) {
            machine.consumerFailed(id)
            run(machine.failed(request, className, message))
        }
        if OpenWireDestinationName.isAdvisory(destination) {
            let names = OpenWireDestinationName.split(destination).compactMap(\.physicalName)
            let wants = (queues: names.contains(OpenWireDestinationName.tempQueueAdvisory),
                         topics: names.contains(OpenWireDestinationName.tempTopicAdvisory))
            consumers[id] = ConsumerState(info: info)
            run(machine.completed(request))
            if wants.queues || wants.topics {
                advisoryConsumers[id] = wants
                for existing in shared.subscribeAdvisories(connection, owner: owner) { sendAdvisory(existing, only: id) }
            }
            return
        }
        let selector: MessageSelector?
        do {
            selector = try MessageSelector.compile(info.selector)
        } catch {
            return refuse(OpenWireErrorClass.invalidSelector, "\(info.selector ?? ""): \(error)")
        }
        var resolved: [Destination] = []
        for r in resolve(destination) {
            switch r {
            case .core(let d): resolved.append(d)
            case .deleted(let d): return refuse(OpenWireErrorClass.invalidDestination, "Cannot consume from a deleted destination: \(d)")
            }
        }
        for d in resolved where !authorized(d, d.isQueue ? .consume : .subscribe) {
            return refuse(OpenWireErrorClass.security, notAuthorized(destination, write: false))
        }
        var state = ConsumerState(info: info)
        var queueName: String?
        if destination.kind.isTopic {
            if let name = info.subscriptionName {
                guard let clientID = machine.clientId, resolved.count == 1, case .topic(let filter) = resolved[0] else {
                    return refuse(OpenWireErrorClass.jms, "A durable subscription needs a client id and one topic")
                }
                do {
                    queueName = try broker.queues.subscribeDurable(DurableSubscription(clientID: clientID, name: name, filter: filter,
                                                                                       selector: info.selector, noLocal: info.noLocal))
                } catch {
                    return refuse(OpenWireErrorClass.invalidSelector, "\(error)")
                }
                state.durableKey = clientID + "/" + name
            } else {
                for d in resolved {
                    guard case .topic(let filter) = d else { continue }
                    if let problem = Topic.validateFilter(filter) {
                        return refuse(OpenWireErrorClass.invalidDestination, "Invalid topic \(destination): \(problem)")
                    }
                }
                for d in resolved {
                    guard case .topic(let filter) = d else { continue }
                    let n = nextTopicIdentifier
                    nextTopicIdentifier += 1
                    topicSubscriptions[n] = TopicSubscription(consumerId: id, filter: filter, selector: selector, noLocal: info.noLocal)
                    state.topicIdentifiers.append(n)
                    // Consumers of one connection on the same topic share the core subscription; no-local is
                    // applied here, per consumer.
                    if coreFilters[filter] == nil {
                        coreFilters[filter] = n
                        _ = broker.subscribe(session: session, filter: filter,
                                             options: SubscriptionOptions(qos: .atLeastOnce, noLocal: false, retainHandling: .doNotSend,
                                                                          subscriptionIdentifier: n))
                    }
                }
                consumers[id] = state
                return run(machine.completed(request))
            }
        }
        // A composite (`queue://a,b`) consumes from each queue, as ActiveMQ subscribes it to each.
        var queueNames: [String] = queueName.map { [$0] } ?? []
        if queueName == nil {
            for d in resolved {
                guard case .queue(let q) = d else {
                    return refuse(OpenWireErrorClass.invalidDestination, "A composite consumer mixes queues and topics: \(destination)")
                }
                if !queueNames.contains(q) { queueNames.append(q) }
            }
        }
        guard !queueNames.isEmpty else { return }
        if info.browser {
            consumers[id] = state
            run(machine.completed(request))
            return browse(queueNames, consumer: id, destination: destination, selector: selector)
        }
        let options = ConsumerOptions(prefetch: max(0, Int(info.prefetchSize)), creditReturnsOnAck: false, exclusive: info.exclusive,
                                      selector: info.subscriptionName == nil ? selector : nil, autoAck: false)
        var attached: [QueueConsumer] = []
        do {
            for name in queueNames {
                attached.append(try broker.queues.addConsumer(queue: name, options: options, connection: connection, owner: owner, start: false))
            }
        } catch {
            for q in attached { broker.queues.closeConsumer(q) }
            return refuse(OpenWireErrorClass.jms, error.description)
        }
        state.queue = attached[0]
        state.otherQueues = Array(attached.dropFirst())
        consumers[id] = state
        for q in attached { queueConsumers[ObjectIdentifier(q)] = id }
        if let key = state.durableKey { shared.durableActivated(key) }
        run(machine.completed(request))
        for q in attached { broker.queues.startDelivery(q) }
    }

    /// A composite consumer's dispatch, for the credit it will get back; one answering a pull (prefetch 0)
    /// takes the other queues' pull credit away again.
    func compositeDispatched(_ id: OpenWireConsumerId, _ from: QueueConsumer, pulled: Bool) {
        guard var state = consumers[id], let first = state.queue else { return }
        let all = [first] + state.otherQueues
        state.compositeCredit.dispatched(from: all.firstIndex { $0 === from } ?? 0)
        consumers[id] = state
        if pulled { for q in all where q !== from { broker.queues.setCredit(q, 0) } }
    }

    func creditComposite(_ id: OpenWireConsumerId, _ n: Int) {
        guard var state = consumers[id], let first = state.queue else { return }
        let all = [first] + state.otherQueues
        let grants = state.compositeCredit.returned(n)
        consumers[id] = state
        for (i, k) in grants where i < all.count { broker.queues.grantCredit(all[i], k) }
    }

    /// ActiveMQ's queue browser: every message now in the queue, without consuming it, then a
    /// MessageDispatch with no message.
    private func browse(_ queues: [String], consumer id: OpenWireConsumerId, destination: OpenWireDestination, selector: MessageSelector?) {
        for message in queues.flatMap({ broker.queues.browse(queue: $0, selector: selector) }) {
            let m = jmsMessage(message)
            run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: m.destination, message: m,
                                                        redeliveryCounter: m.redeliveryCounter), tag: nil))
        }
        run(machine.deliver(OpenWireMessageDispatch(consumerId: id, destination: destination), tag: nil))
        core.scheduleFlush()
    }

    func removeConsumer(_ id: OpenWireConsumerId, notDelivered: [UInt64] = []) {
        guard let state = consumers.removeValue(forKey: id) else { return }
        if advisoryConsumers.removeValue(forKey: id) != nil, advisoryConsumers.isEmpty {
            shared.unsubscribeAdvisories(owner: owner)
        }
        if let q = state.queue {
            let notDelivered = Set(notDelivered)
            for q in [q] + state.otherQueues {
                queueConsumers[ObjectIdentifier(q)] = nil
                // Messages held in open transactions stay acknowledged there until commit or rollback.
                broker.queues.closeConsumer(q, notDelivered: notDelivered)
            }
        }
        if let key = state.durableKey, state.queue != nil { shared.durableDeactivated(key) }
        for n in state.topicIdentifiers {
            guard let sub = topicSubscriptions.removeValue(forKey: n), let session else { continue }
            // Another consumer of this connection may share the filter; the core holds one per filter.
            if !topicSubscriptions.values.contains(where: { $0.filter == sub.filter }) {
                coreFilters[sub.filter] = nil
                _ = broker.unsubscribe(session: session, filter: sub.filter)
            }
        }
    }

    func removeSubscription(_ info: OpenWireRemoveSubscriptionInfo, _ request: OpenWireRequest) {
        guard let name = info.subscriptionName, let clientID = info.clientId ?? machine.clientId else {
            return run(machine.failed(request, OpenWireErrorClass.invalidDestination, "RemoveSubscriptionInfo needs a client id and a name"))
        }
        if shared.isDurableActive(clientID + "/" + name) {
            return run(machine.failed(request, OpenWireErrorClass.jms, "Durable consumer is in use"))
        }
        guard broker.queues.unsubscribeDurable(clientID: clientID, name: name) else {
            return run(machine.failed(request, OpenWireErrorClass.invalidDestination,
                                      "No durable subscription exists for clientID: \(clientID) and subscriptionName: \(name)"))
        }
        run(machine.completed(request))
    }
}
