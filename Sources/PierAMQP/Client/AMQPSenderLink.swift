import NIOCore

/// The sending end of one link: attach parameters, credit and the queue of messages waiting for it.
/// Delivery ids, session windows and framing belong to the session; this only says what may go next.
public struct AMQPSenderLink {
    public enum State: Hashable, Sendable {
        case attaching
        case attached
        case detaching
        case detached
    }

    /// A message waiting for credit. `token` is the caller's handle on the delivery's outcome.
    public struct Pending: Hashable, Sendable {
        public var token: UInt64
        public var payload: ByteBuffer
    }

    public let name: String
    public let handle: UInt32
    public let address: String
    /// Terminus durability asked for (0 none, 1 configuration, 2 unsettled-state). RabbitMQ declares
    /// `/queue/NAME` durable exactly when this is non-zero, and refuses a mismatch with an existing queue.
    public let durable: UInt32
    public private(set) var state: State = .attaching
    public private(set) var remoteHandle: UInt32?
    public private(set) var deliveryCount: UInt32 = 0
    public private(set) var linkCredit: UInt32 = 0
    /// The receiver asked us to use up or give back all credit.
    public private(set) var drain = false
    private var queue = CircularBuffer<Pending>()

    public init(name: String, handle: UInt32, address: String, durable: UInt32 = 0) {
        self.name = name
        self.handle = handle
        self.address = address
        self.durable = durable
    }

    public var queuedCount: Int { queue.count }

    public var attachFrame: AMQPAttach {
        var target = AMQPTarget(address: address)
        target.durable = durable
        // Unsettled: the peer must tell us the outcome, which is what at-least-once forwarding rests on.
        return AMQPAttach(name: name, handle: handle, role: .sender, sndSettleMode: .unsettled, rcvSettleMode: .first,
                          source: AMQPSource(address: name), target: target, initialDeliveryCount: deliveryCount)
    }

    /// Returns false if the peer refused the link (no target); its detach with the reason follows.
    public mutating func remoteAttached(_ attach: AMQPAttach) -> Bool {
        remoteHandle = attach.handle
        guard state == .attaching else { return true }
        if attach.target == nil { return false }
        state = .attached
        return true
    }

    public mutating func enqueue(token: UInt64, payload: ByteBuffer) {
        queue.append(Pending(token: token, payload: payload))
    }

    /// Applies the receiver's view of the link. Returns true when the receiver wants a flow back
    /// (echo, or drain with nothing left to send).
    public mutating func flow(_ flow: AMQPFlow) -> Bool {
        if let credit = flow.linkCredit {
            // The receiver counted from its delivery-count; deliveries in flight since then already used credit.
            let receiverCount = flow.deliveryCount ?? deliveryCount
            let inFlight = deliveryCount &- receiverCount
            linkCredit = inFlight >= credit ? 0 : credit - inFlight
        }
        drain = flow.drain
        return flow.echo || finishDrainIfIdle()
    }

    /// The next message that may be sent now, consuming one credit.
    public mutating func next() -> Pending? {
        guard state == .attached, linkCredit > 0, let pending = queue.popFirst() else { return nil }
        linkCredit -= 1
        deliveryCount &+= 1
        return pending
    }

    /// With drain set and nothing queued, the unused credit is consumed by advancing delivery-count.
    public mutating func finishDrainIfIdle() -> Bool {
        guard drain, queue.isEmpty, linkCredit > 0 else { return false }
        deliveryCount &+= linkCredit
        linkCredit = 0
        drain = false
        return true
    }

    public mutating func detaching() -> [UInt64] {
        state = .detaching
        return takeQueued()
    }

    /// The link is gone: the queued messages were never sent and their tokens are returned to fail them.
    public mutating func detached() -> [UInt64] {
        state = .detached
        return takeQueued()
    }

    private mutating func takeQueued() -> [UInt64] {
        let tokens = queue.map(\.token)
        queue.removeAll()
        return tokens
    }

    public func flowFields(into flow: inout AMQPFlow) {
        flow.handle = handle
        flow.deliveryCount = deliveryCount
        flow.linkCredit = linkCredit
        flow.available = UInt32(clamping: queue.count)
        flow.drain = drain
    }
}
