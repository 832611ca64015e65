import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The router: a publish is matched once, merged per session, written with the queue copies it makes,
/// and handed to delivery once it is durable.
extension Broker {
    // MARK: - Publish

    /// Routes a message to every matching session and returns how many it reaches.
    /// A QoS 1/2 message is first written to storage with the persistent sessions it is queued for;
    /// subscribers get it only once that write commits, and `onCommit` (the publisher's acknowledgement)
    /// runs then too. So a message is never delivered, or acknowledged, unless it survives a crash.
    ///
    /// `event` is session progress that must become durable together with the message (an incoming
    /// QoS 2 packet id): both go into one storage append, so neither survives a crash without the other.
    ///
    /// A message that reaches nothing durable (no persistent session, queue, bridge or retained copy) has
    /// nothing to write. It is still written, as an ordering barrier, unless the caller says that
    /// `nothingAwaitingCommit` of its own: otherwise its acknowledgement and deliveries would overtake
    /// earlier ones still waiting for the log, and MQTT wants acknowledgements and each topic's messages
    /// in publish order. When nothing is waiting it is acknowledged and delivered at once, without an fsync,
    /// as a broker without persistence would (the QoS 1 p2p latency of issue #16).
    @discardableResult
    public func publish(_ message: Message, recording event: (SessionEvent, Session)? = nil,
                        nothingAwaitingCommit: Bool = false, onCommit: (@Sendable () -> Void)? = nil) -> Int {
        // Bytes are counted by the front ends as they come off the socket, mosquitto's `bytes/received`.
        stats.messagesReceived.increment()
        return route(message, recording: event, nothingAwaitingCommit: nothingAwaitingCommit, onCommit: onCommit)
    }

    private func route(_ message: Message, recording event: (SessionEvent, Session)?, nothingAwaitingCommit: Bool = false,
                       onCommit: (@Sendable () -> Void)?) -> Int {
        let now = BrokerClock.nowMillis()
        if message.isExpired(now: now) {
            if let (event, session) = event {
                record(event, for: session, onCommit: onCommit)
            } else {
                onCommit?()
            }
            return 0
        }
        var message = message
        let isSystem = message.topic.hasPrefix("$SYS/")
        var tapTargets: [QueuedTarget] = []
        var heldAcknowledgement = onCommit
        if !isSystem {
            for tap in taps.withLockedValue({ $0 }) {
                switch tap.decide(message) {
                case .skip:
                    continue
                case .take:
                    break
                case .takeAndHoldAcknowledgement(let register):
                    if let ack = heldAcknowledgement {
                        heldAcknowledgement = { register(ack) }
                    }
                }
                tapTargets.append(QueuedTarget(clientID: tap.targetID, qos: message.qos, retain: message.retain))
            }
        }
        if (message.qos != .atMostOnce || !tapTargets.isEmpty) && !isSystem {
            message.id = messageIDs.take()
        }
        let acknowledge = heldAcknowledgement

        let matched: SubscriptionTree.Match = routing.withLockedValue { r in
            if message.retain {
                r.retained.apply(message)
            }
            return r.tree.match(topic: message.topic)
        }
        var records: [StorageRecord] = []
        if let (event, session) = event, session.isPersistent {
            records.append(Self.storageRecord(event, clientID: session.clientID))
        }
        if message.retain && !isSystem {
            records.append(message.payload.readableBytes == 0 ? .retainedCleared(topic: message.topic) : .retainedSet(message))
        }

        var targets: [(Session, Delivery)] = []
        var queuedFor: [QueuedTarget] = tapTargets
        for (session, delivery) in merged(matched, message: message) {
            guard authorizer.canRead(session.currentIdentity, topic: message.topic) else { continue }
            targets.append((session, delivery))
            if message.id != nil && delivery.qos != .atMostOnce && session.isPersistent {
                queuedFor.append(QueuedTarget(clientID: session.clientID, qos: delivery.qos, retain: delivery.retain,
                                              subscriptionIdentifiers: delivery.subscriptionIdentifiers))
            }
        }
        // Virtual-topic queues and durable subscriptions get their copies in the publish's own log record.
        let copies = isSystem ? [] : queues.topicCopies(of: message)
        for c in copies where c.message.isPersistent { records.append(.queueEnqueued(queue: c.queue, message: c.message)) }
        if message.id != nil && (!queuedFor.isEmpty || !nothingAwaitingCommit) {
            records.append(.published(message, queuedFor: queuedFor))
        }
        let finish: @Sendable () -> Void = { [self, targets] in
            // The publisher's acknowledgement first: it is what lets the client send its next message.
            acknowledge?()
            deliver(targets)
            if !copies.isEmpty { queues.deliverCopies(copies) }
        }
        if records.isEmpty {
            finish()
        } else {
            storage.append(records, onCommit: CommitHop.toCallingLoop(finish))
        }
        return targets.count
    }

    /// One delivery per session. A single subscription, the common case, needs no merging table.
    private func merged(_ matched: SubscriptionTree.Match, message: Message) -> [(Session, Delivery)] {
        if matched.sharedGroups.isEmpty && matched.entries.count <= 1 {
            guard let entry = matched.entries.first, !Self.isNoLocalEcho(entry, message) else { return [] }
            return [(entry.session, Self.delivery(entry, message: message))]
        }
        var merged: [ObjectIdentifier: (Session, Delivery)] = [:]
        for entry in matched.entries where !Self.isNoLocalEcho(entry, message) {
            merge(entry, message: message, into: &merged)
        }
        if !matched.sharedGroups.isEmpty {
            let picks = routing.withLockedValue { _ in matched.sharedGroups.compactMap(Self.pick) }
            for entry in picks { merge(entry, message: message, into: &merged) }
        }
        return Array(merged.values)
    }

    /// A no-local subscription does not get its own client's messages.
    static func isNoLocalEcho(_ entry: SubscriptionTree.Entry, _ message: Message) -> Bool {
        entry.options.noLocal && message.origin == entry.session.clientID
    }

    /// Messages go to the best of a session's matching subscriptions, with every subscription identifier.
    func merge(_ entry: SubscriptionTree.Entry, message: Message, into targets: inout [ObjectIdentifier: (Session, Delivery)]) {
        let key = ObjectIdentifier(entry.session)
        let fresh = Self.delivery(entry, message: message)
        if let (session, existing) = targets[key] {
            var delivery = existing
            delivery.qos = max(delivery.qos, fresh.qos)
            delivery.retain = delivery.retain || fresh.retain
            delivery.subscriptionIdentifiers += fresh.subscriptionIdentifiers
            targets[key] = (session, delivery)
        } else {
            targets[key] = (entry.session, fresh)
        }
    }

    /// What one subscription alone makes of a message.
    static func delivery(_ entry: SubscriptionTree.Entry, message: Message) -> Delivery {
        let qos = min(message.qos, entry.options.qos)
        let retain = entry.options.retainAsPublished && message.retain
        let ids = entry.options.subscriptionIdentifier.map { [$0] } ?? []
        return Delivery(message: message, qos: qos, retain: retain, subscriptionIdentifiers: ids)
    }

    /// Round robin over a share group, preferring connected members so a message isn't parked offline needlessly.
    static func pick(_ group: SubscriptionTree.SharedGroup) -> SubscriptionTree.Entry? {
        let n = group.members.count
        guard n > 0 else { return nil }
        for i in 0..<n {
            let idx = (group.next + i) % n
            if group.members[idx].session.isConnected {
                group.next = (idx + 1) % n
                return group.members[idx]
            }
        }
        let entry = group.members[group.next % n]
        group.next = (group.next + 1) % n
        return entry
    }

    /// Broker-generated messages (`$SYS`): routed like any other but not counted as client traffic.
    public func publishSystem(_ message: Message) {
        _ = route(message, recording: nil, onCommit: nil)
    }
}
