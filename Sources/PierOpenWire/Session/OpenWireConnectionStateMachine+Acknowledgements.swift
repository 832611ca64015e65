/// MessageAck and the deliveries it settles: which dispatched messages an ack covers, per ack type,
/// and how acks inside a transaction wait for its outcome.
extension OpenWireConnectionStateMachine {
    // MARK: - Acknowledgements

    mutating func acknowledge(_ ack: OpenWireMessageAck, _ req: OpenWireRequest) -> [OpenWireAction] {
        if let tx = ack.transactionId, !transactions.contains(tx) {
            return fail(req, OpenWireErrorClass.jms, "Transaction \(tx) has not been started")
        }
        guard let id = ack.consumerId, var list = pending[id], !list.isEmpty else { return respond(req) }
        let lastIndex = ack.lastMessageId.flatMap { last in list.firstIndex { Self.same($0.messageId, last) } }
        let firstIndex = ack.firstMessageId.flatMap { first in list.firstIndex { Self.same($0.messageId, first) } }
        var actions: [OpenWireAction] = []
        switch ack.ackType {
        case .delivered:
            guard let lastIndex else { break }
            var n = 0
            for i in 0...lastIndex where !list[i].creditReturned {
                list[i].creditReturned = true
                n += 1
            }
            pending[id] = list
            if n > 0 { actions.append(.credit(id, n)) }
        case .redelivered:
            break
        case .standard, .unmatched:
            guard let lastIndex else { break }
            actions += settle(id, &list, range: 0...lastIndex, outcome: .consumed, tx: ack.transactionId)
        case .individual:
            guard let lastIndex else { break }
            actions += settle(id, &list, range: lastIndex...lastIndex, outcome: .consumed, tx: ack.transactionId)
        case .poison, .expired:
            guard let lastIndex else { break }
            let start = min(firstIndex ?? lastIndex, lastIndex)
            let outcome: OpenWireSettlement.Outcome = ack.ackType == .poison
                ? .poison(cause: Self.describe(ack.poisonCause)) : .consumed
            actions += settle(id, &list, range: start...lastIndex, outcome: outcome, tx: ack.ackType == .poison ? nil : ack.transactionId)
        default:
            return fail(req, OpenWireErrorClass.jms, "Unknown ack type \(ack.ackType.rawValue)")
        }
        return actions + respond(req)
    }

    private mutating func settle(_ id: OpenWireConsumerId, _ list: inout [Pending], range: ClosedRange<Int>,
                                 outcome: OpenWireSettlement.Outcome, tx: OpenWireTransactionId?) -> [OpenWireAction] {
        let taken = list[range]
        list.removeSubrange(range)
        pending[id] = list
        if let tx { acknowledgedIn[tx, default: []] += taken.map { (id, $0) } }
        let credit = taken.filter { !$0.creditReturned }.count
        var actions: [OpenWireAction] = [.settle(OpenWireSettlement(consumerId: id, tags: taken.map(\.tag), outcome: outcome, transactionId: tx))]
        if credit > 0 { actions.append(.credit(id, credit)) }
        return actions
    }

    /// The client's poison cause as ActiveMQ writes it into `dlqDeliveryFailureCause`.
    static func describe(_ t: OpenWireThrowable?) -> String {
        guard let t else { return "java.lang.Throwable: poison ack" }
        let name = t.className ?? "java.lang.Throwable"
        guard let message = t.message else { return name }
        return "\(name): \(message)"
    }

    // MARK: - Prefetch

    /// A client's ConsumerControl sets a consumer's prefetch. The failover transport depends on it: it
    /// replays a consumer with prefetch 0 while it clears what the old connection had dispatched, then
    /// restores the real prefetch this way; a broker ignoring it leaves the consumer starved.
    mutating func consumerControl(_ control: OpenWireConsumerControl, _ req: OpenWireRequest) -> [OpenWireAction] {
        guard let id = control.consumerId, var info = consumers[id], !control.close else { return respond(req) }
        let prefetch = max(0, control.prefetch)
        info.prefetchSize = prefetch
        consumers[id] = info
        let outstanding = pending[id]?.filter { !$0.creditReturned }.count ?? 0
        return [.setCredit(id, max(0, Int(prefetch) - outstanding))] + respond(req)
    }

    // MARK: - Deliveries

    /// A message for consumer `consumerId`; `tag` is the core's delivery tag when the message must be settled.
    /// A settled (queue) dispatch gets the connection's next broker sequence id, which the client reports
    /// back as `lastDeliveredSequenceId` when it closes the consumer.
    public mutating func deliver(_ dispatch: OpenWireMessageDispatch, tag: UInt64?) -> [OpenWireAction] {
        guard state == .connected, let id = dispatch.consumerId, consumers[id] != nil else { return [] }
        guard let tag else { return [.send(.messageDispatch(dispatch))] }
        var dispatch = dispatch
        dispatchSequence += 1
        dispatch.message?.messageId?.brokerSequenceId = dispatchSequence
        pending[id, default: []].append(Pending(messageId: dispatch.message?.messageId, tag: tag, sequence: dispatchSequence))
        return [.send(.messageDispatch(dispatch))]
    }

    /// JMS's identity of a message (ActiveMQ's `MessageId.equals`): producer and its sequence, not the
    /// broker sequence id, which differs per dispatch.
    static func same(_ a: OpenWireMessageId?, _ b: OpenWireMessageId) -> Bool {
        guard let a else { return false }
        if a.textView != nil || b.textView != nil { return a.textView == b.textView && a.producerId == b.producerId }
        return a.producerId == b.producerId && a.producerSequenceId == b.producerSequenceId
    }

    /// Messages dispatched to `consumerId` and not settled yet.
    public func unsettled(_ consumerId: OpenWireConsumerId) -> Int { pending[consumerId]?.count ?? 0 }
}
