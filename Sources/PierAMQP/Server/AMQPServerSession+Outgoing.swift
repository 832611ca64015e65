import NIOCore

/// Outgoing deliveries of a server session: held until the link has credit and the peer's session
/// window has room, then written as transfers no larger than the peer's max frame size.
extension AMQPServerSession {
    /// A core delivery for a peer receiver; sent now if credit and the session window allow, else held.
    mutating func deliver(handle: UInt32, token: UInt64, payload: ByteBuffer) -> (actions: [AMQPServerAction], dropped: Bool) {
        guard var link = links[handle], link.role == .outgoing, link.attached else { return ([], true) }
        if link.pendingCount >= configuration.maxBufferedDeliveries { return ([], true) }
        link.pending.append(.init(token: token, payload: payload))
        links[handle] = link
        return (pump(), false)
    }

    /// Writes as many transfer frames as credit and the peer's incoming window allow.
    mutating func pump() -> [AMQPServerAction] {
        guard !ending else { return [] }
        var actions: [AMQPServerAction] = []
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
        guard !senderOrder.isEmpty else { return nil }
        for step in 0..<senderOrder.count {
            let index = (nextSender + step) % senderOrder.count
            let handle = senderOrder[index]
            guard var link = links[handle], link.linkCredit > 0, let pending = link.popPending() else { continue }
            link.linkCredit -= 1
            link.deliveryCount &+= 1
            links[handle] = link
            nextSender = index + 1
            let id = nextDeliveryID
            nextDeliveryID &+= 1
            if !link.presettled { unsettled[id] = Unsettled(handle: handle, token: pending.token) }
            return AMQPOutgoingDelivery(handle: handle, deliveryID: id, payload: pending.payload, settled: link.presettled)
        }
        return nil
    }

    private mutating func writeFrame() -> AMQPServerAction {
        let (transfer, chunk, done) = outgoing!.nextFrame(maxFrameSize: maxFrameSize)
        if done { outgoing = nil }
        nextOutgoingID &+= 1
        remoteIncomingWindow -= 1
        return frame(.transfer(transfer), payload: chunk)
    }
}
