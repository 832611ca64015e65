/// RemoveInfo: closing a connection, session, consumer or producer, and which of a consumer's unsettled
/// messages were only prefetched (ActiveMQ's `lastDeliveredSequenceId`), so they go back to the queue
/// without counting as redelivered.
extension OpenWireConnectionStateMachine {
    mutating func remove(_ info: OpenWireRemoveInfo, _ req: OpenWireRequest) -> [OpenWireAction] {
        let last = info.lastDeliveredSequenceId
        switch info.objectId {
        case .connectionId?:
            // The client disposes its sessions and consumers without a RemoveInfo each; this one carries
            // the highest sequence any of them delivered.
            sessions = []
            producers = []
            return removeConsumers(where: { _ in true }, lastDelivered: last) + [.removeConnection(req)]
        case .sessionId(let id)?:
            sessions.remove(id.value)
            var actions = removeConsumers(where: { $0.sessionId == id.value }, lastDelivered: last)
            for p in producers.sorted(by: { $0.value < $1.value }) where p.sessionId == id.value {
                producers.remove(p)
                actions.append(.removeProducer(p))
            }
            return actions + respond(req)
        case .consumerId(let id)?:
            guard consumers[id] != nil else { return respond(req) }
            return removeConsumers(where: { $0 == id }, lastDelivered: last) + respond(req)
        case .producerId(let id)?:
            producers.remove(id)
            return [.removeProducer(id)] + respond(req)
        default:
            return fail(req, OpenWireErrorClass.jms, "RemoveInfo of an unknown object")
        }
    }

    private mutating func removeConsumers(where matches: (OpenWireConsumerId) -> Bool, lastDelivered: Int64) -> [OpenWireAction] {
        var actions: [OpenWireAction] = []
        for c in consumers.keys.sorted(by: { ($0.sessionId, $0.value) < ($1.sessionId, $1.value) }) where matches(c) {
            consumers[c] = nil
            let held = pending.removeValue(forKey: c) ?? []
            actions.append(.removeConsumer(c, notDelivered: Self.notDelivered(held, lastDelivered: lastDelivered)))
        }
        return actions
    }

    /// The unsettled dispatches the application never saw: those stamped after the last one the client
    /// says it delivered. Sequence ids rise in dispatch order over the whole connection, so the rule
    /// holds for a session's or connection's RemoveInfo (the highest of its consumers) too: a message at
    /// or below it may have been delivered and counts, as JMSRedelivered must not under-report.
    /// `lastDeliveredUnknown` (an old client, or none reported) counts them all, as ActiveMQ does.
    static func notDelivered(_ held: [Pending], lastDelivered: Int64) -> [UInt64] {
        guard lastDelivered != OpenWireRemoveInfo.lastDeliveredUnknown else { return [] }
        return held.filter { $0.sequence > lastDelivered }.map(\.tag)
    }
}
