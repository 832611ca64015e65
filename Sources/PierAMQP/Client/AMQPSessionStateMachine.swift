import NIOCore

/// One session, free of I/O: session windows, delivery ids, the links on it, splitting outgoing
/// messages into frames and matching dispositions to deliveries.
public struct AMQPSessionStateMachine {
    public enum Action: Hashable, Sendable {
        case send(AMQPPerformative, payload: ByteBuffer?)
        case event(AMQPSessionEvent)
        /// The peer broke the session protocol badly enough that the connection must close.
        case fail(AMQPError)
    }

    public enum State: Hashable, Sendable {
        case beginSent
        case mapped
        case endSent
        case ended
    }

    private struct Unsettled {
        var handle: UInt32
        var token: UInt64
    }

    public let channel: UInt16
    public private(set) var state: State = .beginSent
    public private(set) var remoteChannel: UInt16?
    /// Largest frame the peer accepts.
    public let maxFrameSize: Int

    // Outgoing transfers.
    public private(set) var nextOutgoingID: UInt32 = 0
    public let outgoingWindow: UInt32
    public private(set) var remoteIncomingWindow: UInt32 = 0
    private var nextDeliveryID: UInt32 = 0
    /// A message being written out frame by frame (it may not fit the window in one go).
    private var outgoing: AMQPOutgoingDelivery?
    private var unsettled: [UInt32: Unsettled] = [:]

    // Incoming transfers.
    public let incomingWindowSize: UInt32
    public private(set) var incomingWindow: UInt32
    public private(set) var nextIncomingID: UInt32 = 0
    private var remoteOutgoingWindow: UInt32 = 0

    private var senders: [UInt32: AMQPSenderLink] = [:]
    private var receivers: [UInt32: AMQPReceiverLink] = [:]
    /// Peer handle → our handle, learned from the peer's attach.
    private var remoteHandles: [UInt32: UInt32] = [:]
    private var senderOrder: [UInt32] = []
    private var nextHandle: UInt32 = 0
    private var remoteHandleMax: UInt32 = .max

    public init(channel: UInt16, maxFrameSize: Int, incomingWindow: UInt32 = 2048, outgoingWindow: UInt32 = 2048) {
        self.channel = channel
        self.maxFrameSize = max(maxFrameSize, Int(AMQPFrame.minMaxFrameSize))
        self.incomingWindowSize = max(incomingWindow, 2)
        self.incomingWindow = max(incomingWindow, 2)
        self.outgoingWindow = outgoingWindow
    }

    public var beginFrame: AMQPBegin {
        AMQPBegin(nextOutgoingID: nextOutgoingID, incomingWindow: incomingWindow, outgoingWindow: outgoingWindow)
    }

    public var unsettledCount: Int { unsettled.count }
    public func sender(_ handle: UInt32) -> AMQPSenderLink? { senders[handle] }
    public func receiver(_ handle: UInt32) -> AMQPReceiverLink? { receivers[handle] }

    // MARK: - Local requests

    public mutating func attachSender(name: String, address: String, durable: UInt32 = 0) -> (handle: UInt32, actions: [Action]) {
        let handle = allocateHandle()
        let link = AMQPSenderLink(name: name, handle: handle, address: address, durable: durable)
        senders[handle] = link
        senderOrder.append(handle)
        return (handle, [.send(.attach(link.attachFrame), payload: nil)])
    }

    public mutating func attachReceiver(name: String, address: String, credit: UInt32, durable: UInt32 = 0) -> (handle: UInt32, actions: [Action]) {
        let handle = allocateHandle()
        let link = AMQPReceiverLink(name: name, handle: handle, address: address, creditWindow: credit, durable: durable)
        receivers[handle] = link
        return (handle, [.send(.attach(link.attachFrame), payload: nil)])
    }

    private mutating func allocateHandle() -> UInt32 {
        while senders[nextHandle] != nil || receivers[nextHandle] != nil { nextHandle &+= 1 }
        defer { nextHandle &+= 1 }
        return nextHandle
    }

    /// Queues a message on a sender link; it goes out as soon as credit and the session window allow.
    /// Its outcome comes back as `.outcome(handle:token:)`.
    public mutating func send(handle: UInt32, token: UInt64, payload: ByteBuffer) -> [Action] {
        guard state == .mapped, let linkState = senders[handle]?.state, linkState == .attaching || linkState == .attached else {
            let error = AMQPError(condition: AMQPError.detachForced, description: "link \(handle) is not attached")
            return [.event(.linkDetached(handle: handle, error: error, unsettled: [token]))]
        }
        // Mutated in place: a copy out of the dictionary would copy the whole queue on every send.
        senders[handle]!.enqueue(token: token, payload: payload)
        return pump()
    }

    /// Settles a received delivery with an outcome (accept, reject, release, modify).
    public mutating func settle(deliveryID: UInt32, state deliveryState: AMQPDeliveryState) -> [Action] {
        guard state == .mapped else { return [] }
        return [.send(.disposition(AMQPDisposition(role: .receiver, first: deliveryID, settled: true, state: deliveryState)), payload: nil)]
    }

    public mutating func detach(handle: UInt32, error: AMQPError? = nil) -> [Action] {
        if let linkState = senders[handle]?.state, linkState != .detaching, linkState != .detached {
            let tokens = senders[handle]!.detaching()
            var actions: [Action] = [.send(.detach(AMQPDetach(handle: handle, closed: true, error: error)), payload: nil)]
            for token in tokens {
                actions.append(.event(.outcome(handle: handle, token: token, .released)))
            }
            return actions
        }
        if var link = receivers[handle], link.state != .detaching, link.state != .detached {
            link.detaching()
            receivers[handle] = link
            return [.send(.detach(AMQPDetach(handle: handle, closed: true, error: error)), payload: nil)]
        }
        return []
    }

    public mutating func end(error: AMQPError? = nil) -> [Action] {
        guard state == .mapped || state == .beginSent else { return [] }
        state = .endSent
        return [.send(.end(AMQPEnd(error: error)), payload: nil)]
    }

    /// The connection went away: everything unsettled is lost.
    public mutating func connectionClosed() -> [UInt64] {
        state = .ended
        var tokens = unsettled.values.map(\.token)
        if let outgoing, let token = unsettled[outgoing.deliveryID]?.token, !tokens.contains(token) { tokens.append(token) }
        for handle in senders.keys { tokens.append(contentsOf: senders[handle]!.detached()) }
        unsettled.removeAll()
        outgoing = nil
        return tokens
    }

    // MARK: - Frames from the peer

    public mutating func receive(_ performative: AMQPPerformative, payload: ByteBuffer?) -> [Action] {
        switch performative {
        case .begin(let begin): return handleBegin(begin)
        case .attach(let attach): return handleAttach(attach)
        case .flow(let flow): return handleFlow(flow)
        case .transfer(let transfer): return handleTransfer(transfer, payload: payload)
        case .disposition(let disposition): return handleDisposition(disposition)
        case .detach(let detach): return handleDetach(detach)
        case .end(let end): return handleEnd(end)
        case .open, .close:
            return [.fail(AMQPError(condition: AMQPError.framingError, description: "connection performative on a session"))]
        }
    }

    private mutating func handleBegin(_ begin: AMQPBegin) -> [Action] {
        guard state == .beginSent else {
            return [.fail(AMQPError(condition: AMQPError.framingError, description: "begin on a mapped session"))]
        }
        state = .mapped
        nextIncomingID = begin.nextOutgoingID
        remoteIncomingWindow = begin.incomingWindow
        remoteOutgoingWindow = begin.outgoingWindow
        remoteHandleMax = begin.handleMax
        var actions: [Action] = [.event(.begun)]
        actions += pump()
        return actions
    }

    private mutating func handleAttach(_ attach: AMQPAttach) -> [Action] {
        // The peer's role is the opposite of our link's.
        if attach.role == .receiver, let handle = senders.first(where: { $0.value.name == attach.name })?.key {
            remoteHandles[attach.handle] = handle
            guard senders[handle]!.remoteAttached(attach) else { return [] }
            var actions: [Action] = [.event(.linkAttached(handle: handle))]
            actions += pump()
            return actions
        }
        if attach.role == .sender, let handle = receivers.first(where: { $0.value.name == attach.name })?.key {
            remoteHandles[attach.handle] = handle
            guard receivers[handle]!.remoteAttached(attach) else { return [] }
            receivers[handle]!.grantCredit()
            return [.event(.linkAttached(handle: handle)), .send(.flow(linkFlow(receiver: handle)), payload: nil)]
        }
        // A link the peer initiated: Pier's client does not accept those. Refuse it as the spec says:
        // attach back with no terminus, then detach with the reason.
        var refusal = AMQPAttach(name: attach.name, handle: allocateHandle(), role: attach.role == .sender ? .receiver : .sender)
        refusal.initialDeliveryCount = refusal.role == .sender ? 0 : nil
        let error = AMQPError(condition: AMQPError.notAllowed, description: "links initiated by the peer are not supported")
        return [.send(.attach(refusal), payload: nil), .send(.detach(AMQPDetach(handle: refusal.handle, closed: true, error: error)), payload: nil)]
    }

    private func sessionFlow() -> AMQPFlow {
        AMQPFlow(nextIncomingID: nextIncomingID, incomingWindow: incomingWindow, nextOutgoingID: nextOutgoingID, outgoingWindow: outgoingWindow)
    }

    private func linkFlow(receiver handle: UInt32) -> AMQPFlow {
        var flow = sessionFlow()
        receivers[handle]?.flowFields(into: &flow)
        return flow
    }

    private func linkFlow(sender handle: UInt32) -> AMQPFlow {
        var flow = sessionFlow()
        senders[handle]?.flowFields(into: &flow)
        return flow
    }

    private mutating func handleFlow(_ flow: AMQPFlow) -> [Action] {
        // The peer's incoming window counts from its next-incoming-id; before it saw any transfer
        // that is our initial next-outgoing-id (0).
        let peerNextIncoming = flow.nextIncomingID ?? 0
        remoteIncomingWindow = peerNextIncoming &+ flow.incomingWindow &- nextOutgoingID
        if remoteIncomingWindow > flow.incomingWindow { remoteIncomingWindow = 0 }
        remoteOutgoingWindow = flow.outgoingWindow
        var actions: [Action] = []
        guard let remoteHandle = flow.handle else {
            if flow.echo { actions.append(.send(.flow(sessionFlow()), payload: nil)) }
            return actions + pump()
        }
        guard let handle = remoteHandles[remoteHandle] else {
            return [.fail(AMQPError(condition: AMQPError.unattachedHandle, description: "flow for handle \(remoteHandle)"))]
        }
        if senders[handle] != nil {
            let reply = senders[handle]!.flow(flow)
            actions.append(.event(.credit(handle: handle, senders[handle]!.linkCredit)))
            actions += pump()
            if reply || senders[handle]!.finishDrainIfIdle() {
                actions.append(.send(.flow(linkFlow(sender: handle)), payload: nil))
            }
        } else if receivers[handle] != nil {
            receivers[handle]!.flow(flow)
            if flow.echo || receivers[handle]!.needsCredit {
                if receivers[handle]!.needsCredit { receivers[handle]!.grantCredit() }
                actions.append(.send(.flow(linkFlow(receiver: handle)), payload: nil))
            }
        }
        return actions
    }

    private mutating func handleTransfer(_ transfer: AMQPTransfer, payload: ByteBuffer?) -> [Action] {
        guard state == .mapped || state == .endSent else { return [] }
        guard incomingWindow > 0 else {
            return [.fail(AMQPError(condition: AMQPError.windowViolation, description: "transfer beyond the incoming window"))]
        }
        nextIncomingID &+= 1
        incomingWindow -= 1
        var actions: [Action] = []
        guard let handle = remoteHandles[transfer.handle], receivers[handle] != nil else {
            return [.fail(AMQPError(condition: AMQPError.unattachedHandle, description: "transfer for handle \(transfer.handle)"))]
        }
        do {
            if let completed = try receivers[handle]!.transfer(transfer, payload: payload) {
                do {
                    let message = try AMQPMessage(decoding: completed.payload)
                    let delivery = AMQPIncomingDelivery(deliveryID: completed.deliveryID, deliveryTag: completed.deliveryTag,
                                                        settled: completed.settled, message: message)
                    actions.append(.event(.message(handle: handle, delivery)))
                } catch {
                    // A message we cannot read is rejected, not fatal: the sender learns why and can dead-letter it.
                    if !completed.settled {
                        let reason = AMQPError(condition: AMQPError.decodeError, description: "\(error)")
                        actions.append(.send(.disposition(AMQPDisposition(role: .receiver, first: completed.deliveryID, settled: true,
                                                                          state: .rejected(reason))), payload: nil))
                    }
                }
                if receivers[handle]!.needsCredit {
                    receivers[handle]!.grantCredit()
                    actions.append(.send(.flow(linkFlow(receiver: handle)), payload: nil))
                }
            }
        } catch {
            actions += detach(handle: handle, error: error)
            return actions
        }
        if incomingWindow <= incomingWindowSize / 2 {
            incomingWindow = incomingWindowSize
            actions.append(.send(.flow(sessionFlow()), payload: nil))
        }
        return actions
    }

    private mutating func handleDisposition(_ disposition: AMQPDisposition) -> [Action] {
        // Only the receiver's view of our sent deliveries matters to a client; a sender's
        // disposition about deliveries we receive just settles them on its side.
        guard disposition.role == .receiver else { return [] }
        let ids = AMQPSequence.keys(of: unsettled, first: disposition.first, last: disposition.last ?? disposition.first)
        var actions: [Action] = []
        if !disposition.settled, let state = disposition.state, !state.isTerminal { return [] }
        if !disposition.settled && disposition.state == nil { return [] }
        for id in ids {
            guard let entry = unsettled.removeValue(forKey: id) else { continue }
            actions.append(.event(.outcome(handle: entry.handle, token: entry.token, AMQPDeliveryOutcome(state: disposition.state))))
        }
        if !disposition.settled, !ids.isEmpty {
            // Receiver settles second: it waits for us to settle before forgetting the delivery.
            actions.append(.send(.disposition(AMQPDisposition(role: .sender, first: disposition.first, last: disposition.last,
                                                              settled: true, state: disposition.state)), payload: nil))
        }
        return actions
    }

    private mutating func handleDetach(_ detach: AMQPDetach) -> [Action] {
        guard let handle = remoteHandles.removeValue(forKey: detach.handle) else {
            // Answer to a refusal of a peer-initiated link, or an unknown handle: nothing to undo.
            return []
        }
        var actions: [Action] = []
        if senders[handle] != nil {
            let wasDetaching = senders[handle]!.state == .detaching
            var tokens = senders[handle]!.detached()
            tokens += unsettled.filter { $0.value.handle == handle }.map(\.value.token)
            unsettled = unsettled.filter { $0.value.handle != handle }
            if outgoing?.handle == handle { outgoing = nil }
            senders[handle] = nil
            senderOrder.removeAll { $0 == handle }
            if !wasDetaching { actions.append(.send(.detach(AMQPDetach(handle: handle, closed: true)), payload: nil)) }
            actions.append(.event(.linkDetached(handle: handle, error: detach.error, unsettled: tokens)))
        } else if receivers[handle] != nil {
            let wasDetaching = receivers[handle]!.state == .detaching
            receivers[handle] = nil
            if !wasDetaching { actions.append(.send(.detach(AMQPDetach(handle: handle, closed: true)), payload: nil)) }
            actions.append(.event(.linkDetached(handle: handle, error: detach.error, unsettled: [])))
        }
        return actions
    }

    private mutating func handleEnd(_ end: AMQPEnd) -> [Action] {
        let wasEnding = state == .endSent
        let tokens = connectionClosed()
        var actions: [Action] = []
        if !wasEnding { actions.append(.send(.end(AMQPEnd()), payload: nil)) }
        actions.append(.event(.ended(end.error, unsettled: tokens)))
        return actions
    }

    // MARK: - Outgoing transfers

    /// Writes as many transfer frames as credit and the peer's incoming window allow.
    private mutating func pump() -> [Action] {
        guard state == .mapped else { return [] }
        var actions: [Action] = []
        while remoteIncomingWindow > 0 {
            if outgoing == nil {
                guard let next = nextDelivery() else { break }
                outgoing = next
            }
            actions.append(writeFrame())
        }
        return actions
    }

    private mutating func nextDelivery() -> AMQPOutgoingDelivery? {
        for handle in senderOrder {
            guard let pending = senders[handle]?.next() else { continue }
            let id = nextDeliveryID
            nextDeliveryID &+= 1
            unsettled[id] = Unsettled(handle: handle, token: pending.token)
            return AMQPOutgoingDelivery(handle: handle, deliveryID: id, payload: pending.payload, settled: false)
        }
        return nil
    }

    private mutating func writeFrame() -> Action {
        let (transfer, chunk, done) = outgoing!.nextFrame(maxFrameSize: maxFrameSize)
        if done { outgoing = nil }
        nextOutgoingID &+= 1
        remoteIncomingWindow -= 1
        return .send(.transfer(transfer), payload: chunk)
    }
}
