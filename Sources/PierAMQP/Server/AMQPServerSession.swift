import NIOCore

/// One session of a server connection: the session windows, its links, transfers both ways (incoming
/// ones reassembled, outgoing ones split to the peer's max frame size) and dispositions. I/O-free.
struct AMQPServerSession {
    struct Unsettled {
        var handle: UInt32
        var token: UInt64
    }

    let channel: UInt16
    let configuration: AMQPServerConfiguration
    var maxFrameSize: Int
    var links: [UInt32: AMQPServerLink] = [:]
    /// Outgoing links in attach order, so the pump is fair between them.
    var senderOrder: [UInt32] = []
    var nextSender = 0

    var nextIncomingID: UInt32
    var incomingWindow: UInt32
    var nextOutgoingID: UInt32 = 0
    var remoteIncomingWindow: UInt32
    var nextDeliveryID: UInt32 = 0
    var unsettled: [UInt32: Unsettled] = [:]
    /// The delivery being written, when it needs more than one frame.
    var outgoing: AMQPOutgoingDelivery?
    var ending = false

    init(channel: UInt16, begin: AMQPBegin, configuration: AMQPServerConfiguration, maxFrameSize: Int) {
        self.channel = channel
        self.configuration = configuration
        self.maxFrameSize = maxFrameSize
        self.nextIncomingID = begin.nextOutgoingID
        self.incomingWindow = configuration.sessionWindow
        self.remoteIncomingWindow = begin.incomingWindow
    }

    var beginReply: AMQPBegin {
        AMQPBegin(remoteChannel: channel, nextOutgoingID: nextOutgoingID, incomingWindow: incomingWindow,
                  outgoingWindow: configuration.sessionWindow, handleMax: configuration.handleMax)
    }

    func frame(_ performative: AMQPPerformative, payload: ByteBuffer? = nil) -> AMQPServerAction {
        .sendFrame(.performative(performative, channel: channel, payload: payload))
    }

    func key(_ handle: UInt32) -> AMQPLinkKey { AMQPLinkKey(channel: channel, handle: handle) }

    private func sessionFlow() -> AMQPFlow {
        AMQPFlow(nextIncomingID: nextIncomingID, incomingWindow: incomingWindow, nextOutgoingID: nextOutgoingID,
                 outgoingWindow: configuration.sessionWindow)
    }

    private func linkFlow(_ handle: UInt32) -> AMQPFlow {
        var flow = sessionFlow()
        if let link = links[handle] {
            flow.handle = handle
            flow.deliveryCount = link.deliveryCount
            flow.linkCredit = link.linkCredit
            if link.role == .outgoing { flow.available = UInt32(clamping: link.pendingCount) }
            flow.drain = link.drain
        }
        return flow
    }

    // MARK: - Frames from the peer

    mutating func receive(_ performative: AMQPPerformative, payload: ByteBuffer?) throws(AMQPError) -> [AMQPServerAction] {
        switch performative {
        case .attach(let attach): return try handleAttach(attach)
        case .flow(let flow): return try handleFlow(flow)
        case .transfer(let transfer): return try handleTransfer(transfer, payload: payload)
        case .disposition(let disposition): return handleDisposition(disposition)
        case .detach(let detach): return handleDetach(detach)
        case .begin, .end, .open, .close:
            throw AMQPError(condition: AMQPError.framingError, description: "unexpected \(performative) on a session")
        }
    }

    private mutating func handleAttach(_ attach: AMQPAttach) throws(AMQPError) -> [AMQPServerAction] {
        guard links[attach.handle] == nil else {
            throw AMQPError(condition: "amqp:session:handle-in-use", description: "handle \(attach.handle) is in use")
        }
        guard attach.handle <= configuration.handleMax else {
            throw AMQPError(condition: AMQPError.framingError, description: "handle \(attach.handle) above handle-max")
        }
        // The peer's role is the opposite of ours.
        if attach.role == .sender {
            var link = AMQPServerLink(name: attach.name, role: .incoming)
            link.deliveryCount = attach.initialDeliveryCount ?? 0
            links[attach.handle] = link
            return [.attachIncoming(key(attach.handle), attach)]
        }
        var link = AMQPServerLink(name: attach.name, role: .outgoing)
        link.presettled = attach.sndSettleMode == .settled
        links[attach.handle] = link
        return [.attachOutgoing(key(attach.handle), attach)]
    }

    /// The adapter took the peer's sender; `reply` is our attach (role receiver), with the target it resolved.
    mutating func acceptIncoming(handle: UInt32, reply: AMQPAttach) -> [AMQPServerAction] {
        guard var link = links[handle], link.role == .incoming else { return [] }
        link.attached = true
        link.linkCredit = configuration.linkCredit
        links[handle] = link
        return [frame(.attach(reply)), frame(.flow(linkFlow(handle)))]
    }

    /// The adapter took the peer's receiver; `reply` is our attach (role sender), with the source it resolved.
    mutating func acceptOutgoing(handle: UInt32, reply: AMQPAttach) -> [AMQPServerAction] {
        guard var link = links[handle], link.role == .outgoing else { return [] }
        link.attached = true
        links[handle] = link
        senderOrder.append(handle)
        var reply = reply
        reply.initialDeliveryCount = link.deliveryCount
        return [frame(.attach(reply))]
    }

    /// The spec's refusal: an attach without the terminus, then a detach with the reason.
    mutating func refuseLink(handle: UInt32, reply: AMQPAttach, error: AMQPError) -> [AMQPServerAction] {
        guard links[handle] != nil else { return [] }
        var reply = reply
        reply.source = reply.role == .sender ? nil : reply.source
        reply.target = reply.role == .receiver ? nil : reply.target
        reply.coordinator = nil
        if reply.role == .sender { reply.initialDeliveryCount = 0 }
        links[handle]!.attached = false
        links[handle]!.detachSent = true
        return [frame(.attach(reply)), frame(.detach(AMQPDetach(handle: handle, closed: true, error: error)))]
    }

    private mutating func handleFlow(_ flow: AMQPFlow) throws(AMQPError) -> [AMQPServerAction] {
        // The peer's window counts from its next-incoming-id (our first id before it saw a transfer).
        let peerNext = flow.nextIncomingID ?? 0
        remoteIncomingWindow = peerNext &+ flow.incomingWindow &- nextOutgoingID
        if remoteIncomingWindow > flow.incomingWindow { remoteIncomingWindow = 0 }
        guard let handle = flow.handle else {
            var actions: [AMQPServerAction] = flow.echo ? [frame(.flow(sessionFlow()))] : []
            actions += pump()
            return actions
        }
        guard var link = links[handle] else {
            throw AMQPError(condition: AMQPError.unattachedHandle, description: "flow for handle \(handle)")
        }
        var actions: [AMQPServerAction] = []
        switch link.role {
        case .outgoing:
            // credit = the peer's delivery-count + its link-credit − ours (section 2.6.7).
            let peerCount = flow.deliveryCount ?? link.deliveryCount
            let credit = Int64(peerCount &+ (flow.linkCredit ?? 0) &- link.deliveryCount)
            link.linkCredit = UInt32(clamping: max(0, min(credit, Int64(UInt32.max))))
            if credit < 0 || credit > Int64(Int32.max) { link.linkCredit = 0 }
            link.drain = flow.drain
            links[handle] = link
            actions += pump()
            actions.append(.credit(key(handle), links[handle]!.availableCredit))
            if links[handle]!.drain {
                // Nothing more to send now: the credit left is used up by advancing the delivery count.
                links[handle]!.deliveryCount &+= links[handle]!.linkCredit
                links[handle]!.linkCredit = 0
                actions.append(frame(.flow(linkFlow(handle))))
                links[handle]!.drain = false
                actions.append(.credit(key(handle), 0))
            } else if flow.echo {
                actions.append(frame(.flow(linkFlow(handle))))
            }
        case .incoming:
            if let count = flow.deliveryCount { link.deliveryCount = count }
            links[handle] = link
            if flow.echo { actions.append(frame(.flow(linkFlow(handle)))) }
        }
        return actions
    }

    private mutating func handleTransfer(_ transfer: AMQPTransfer, payload: ByteBuffer?) throws(AMQPError) -> [AMQPServerAction] {
        guard incomingWindow > 0 else {
            throw AMQPError(condition: AMQPError.windowViolation, description: "transfer beyond the incoming window")
        }
        nextIncomingID &+= 1
        incomingWindow -= 1
        var actions: [AMQPServerAction] = []
        if incomingWindow <= configuration.sessionWindow / 2 {
            incomingWindow = configuration.sessionWindow
            actions.append(frame(.flow(sessionFlow())))
        }
        guard var link = links[transfer.handle], link.role == .incoming else {
            throw AMQPError(condition: AMQPError.unattachedHandle, description: "transfer for handle \(transfer.handle)")
        }
        // A refused link may still see transfers sent before the peer read our detach.
        guard link.attached else { return actions }
        var bytes = payload ?? ByteBuffer()
        if transfer.aborted {
            link.partial = nil
            links[transfer.handle] = link
            return actions
        }
        if var partial = link.partial {
            guard partial.payload.readableBytes + bytes.readableBytes <= configuration.maxMessageSize else {
                link.partial = nil
                links[transfer.handle] = link
                return actions + detachForError(transfer.handle, AMQPError(condition: AMQPError.transferLimitExceeded,
                                                                              description: "message larger than \(configuration.maxMessageSize) bytes"))
            }
            partial.payload.writeBuffer(&bytes)
            if transfer.settled == true { partial.settled = true }
            if let id = Self.transaction(transfer) { partial.transaction = id }
            if transfer.more {
                link.partial = partial
                links[transfer.handle] = link
                return actions
            }
            link.partial = nil
            if !partial.settled { link.awaitingSettlement += 1 }
            links[transfer.handle] = link
            actions.append(.message(key(transfer.handle), deliveryID: partial.deliveryID, settled: partial.settled,
                                    transaction: partial.transaction, payload: partial.payload))
            return actions + topUpCredit(transfer.handle)
        }
        guard let deliveryID = transfer.deliveryID else {
            throw AMQPError(condition: AMQPError.invalidField, description: "first transfer of a delivery without delivery-id")
        }
        guard link.linkCredit > 0 else {
            return actions + detachForError(transfer.handle, AMQPError(condition: AMQPError.transferLimitExceeded,
                                                                          description: "transfer without link credit"))
        }
        link.linkCredit -= 1
        link.deliveryCount &+= 1
        let settled = transfer.settled ?? false
        if transfer.more {
            // Copied, so a partial message does not pin the receive buffer of its first frame.
            var own = ByteBuffer()
            own.writeBuffer(&bytes)
            link.partial = (deliveryID, settled, Self.transaction(transfer), own)
            links[transfer.handle] = link
            return actions
        }
        if !settled { link.awaitingSettlement += 1 }
        links[transfer.handle] = link
        actions.append(.message(key(transfer.handle), deliveryID: deliveryID, settled: settled, transaction: Self.transaction(transfer),
                                payload: bytes))
        return actions + topUpCredit(transfer.handle)
    }

    static func transaction(_ transfer: AMQPTransfer) -> ByteBuffer? {
        if case .transactional(let id, _)? = transfer.state { return id }
        return nil
    }

    private mutating func topUpCredit(_ handle: UInt32) -> [AMQPServerAction] {
        // Credit is not renewed while a window's worth of messages still waits for the core (a full queue
        // that blocks its producers, a slow disk): the producer stops instead of filling memory.
        guard let link = links[handle], link.attached, link.linkCredit <= configuration.linkCredit / 2,
              link.awaitingSettlement < Int(configuration.linkCredit) else { return [] }
        links[handle]!.linkCredit = configuration.linkCredit
        return [frame(.flow(linkFlow(handle)))]
    }

    /// The core's outcome for unsettled incoming deliveries of one link, one disposition per run of
    /// consecutive ids; credit withheld while they were outstanding is granted again.
    mutating func settleIncoming(handle: UInt32, deliveryIDs: [UInt32], state: AMQPDeliveryState) -> [AMQPServerAction] {
        var actions: [AMQPServerAction] = []
        let sorted = deliveryIDs.sorted()
        var first = sorted[0], last = sorted[0]
        func emit() {
            let disposition = AMQPDisposition(role: .receiver, first: first, last: last == first ? nil : last, settled: true, state: state)
            actions.append(frame(.disposition(disposition)))
        }
        for id in sorted.dropFirst() {
            if id == last &+ 1 {
                last = id
            } else if id != last {
                emit()
                first = id
                last = id
            }
        }
        emit()
        links[handle]!.awaitingSettlement = max(0, links[handle]!.awaitingSettlement - deliveryIDs.count)
        return actions + topUpCredit(handle)
    }

    private mutating func handleDisposition(_ disposition: AMQPDisposition) -> [AMQPServerAction] {
        // The peer as sender settling its transfers to us needs nothing: Pier already settled them.
        guard disposition.role == .receiver else { return [] }
        if !disposition.settled, disposition.state.map({ !$0.isTerminal }) ?? true { return [] }
        let ids = AMQPSequence.keys(of: unsettled, first: disposition.first, last: disposition.last ?? disposition.first)
        var actions: [AMQPServerAction] = []
        for id in ids {
            guard let entry = unsettled.removeValue(forKey: id) else { continue }
            actions.append(.outcome(key(entry.handle), token: entry.token, disposition.state))
        }
        if !disposition.settled, !ids.isEmpty {
            // The receiver settles second: it waits for ours.
            actions.append(frame(.disposition(AMQPDisposition(role: .sender, first: disposition.first, last: disposition.last,
                                                              settled: true, state: disposition.state))))
        }
        return actions
    }

    private mutating func handleDetach(_ detach: AMQPDetach) -> [AMQPServerAction] {
        guard let link = links[detach.handle] else { return [] }
        var actions: [AMQPServerAction] = []
        if !link.detachSent { actions.append(frame(.detach(AMQPDetach(handle: detach.handle, closed: detach.closed)))) }
        actions.append(removeLink(detach.handle, closed: detach.closed))
        return actions
    }

    /// Forgets a link; what it still held goes back to the core through `detached`.
    private mutating func removeLink(_ handle: UInt32, closed: Bool) -> AMQPServerAction {
        var link = links.removeValue(forKey: handle)!
        var tokens = link.takePending()
        for (id, entry) in unsettled where entry.handle == handle {
            tokens.append(entry.token)
            unsettled[id] = nil
        }
        if outgoing?.handle == handle { outgoing = nil }
        senderOrder.removeAll { $0 == handle }
        return .detached(key(handle), closed: closed, unsettled: tokens)
    }

    /// Pier detaches a link because of what the peer did on it.
    mutating func detachForError(_ handle: UInt32, _ error: AMQPError) -> [AMQPServerAction] {
        guard links[handle] != nil else { return [] }
        return [frame(.detach(AMQPDetach(handle: handle, closed: true, error: error))), removeLink(handle, closed: false)]
    }

    /// The peer ended the session, or the connection went: every link is detached (not closed).
    mutating func endAll() -> [AMQPServerAction] {
        ending = true
        var actions: [AMQPServerAction] = []
        for handle in links.keys.sorted() { actions.append(removeLink(handle, closed: false)) }
        return actions
    }
}
