import NIOCore

/// The receiving end of one link: credit it grants and the reassembly of multi-frame deliveries.
public struct AMQPReceiverLink {
    public enum State: Hashable, Sendable {
        case attaching
        case attached
        case detaching
        case detached
    }

    /// The raw bytes of one complete delivery.
    public struct Completed: Hashable, Sendable {
        public var deliveryID: UInt32
        public var deliveryTag: ByteBuffer
        public var settled: Bool
        public var payload: ByteBuffer
    }

    private struct Partial {
        var deliveryID: UInt32
        var deliveryTag: ByteBuffer
        var settled: Bool
        var payload: ByteBuffer
    }

    public let name: String
    public let handle: UInt32
    public let address: String
    /// Credit kept open towards the sender; refilled when half of it is used.
    public let creditWindow: UInt32
    /// Largest message accepted; a bigger one is a transfer-limit violation, not unbounded memory.
    public let maxMessageSize: Int
    /// Source terminus durability; see `AMQPSenderLink.durable`.
    public let durable: UInt32
    public private(set) var state: State = .attaching
    public private(set) var remoteHandle: UInt32?
    public private(set) var deliveryCount: UInt32 = 0
    public private(set) var linkCredit: UInt32 = 0
    private var partial: Partial?

    public init(name: String, handle: UInt32, address: String, creditWindow: UInt32, durable: UInt32 = 0, maxMessageSize: Int = 64 << 20) {
        self.durable = durable
        self.name = name
        self.handle = handle
        self.address = address
        self.creditWindow = max(creditWindow, 1)
        self.maxMessageSize = maxMessageSize
    }

    public var attachFrame: AMQPAttach {
        var source = AMQPSource(address: address)
        source.durable = durable
        return AMQPAttach(name: name, handle: handle, role: .receiver, sndSettleMode: .unsettled, rcvSettleMode: .first,
                          source: source, target: AMQPTarget(address: name))
    }

    /// Returns false if the peer refused the link (no source); its detach with the reason follows.
    public mutating func remoteAttached(_ attach: AMQPAttach) -> Bool {
        remoteHandle = attach.handle
        guard state == .attaching else { return true }
        if attach.source == nil { return false }
        deliveryCount = attach.initialDeliveryCount ?? 0
        state = .attached
        return true
    }

    /// Opens the full credit window; the caller sends it in a flow with `flowFields`.
    public mutating func grantCredit() {
        linkCredit = creditWindow
    }

    /// Whether enough credit was used that the window should be refilled.
    public var needsCredit: Bool {
        state == .attached && linkCredit <= creditWindow / 2
    }

    public mutating func flow(_ flow: AMQPFlow) {
        // The sender's delivery-count is authoritative (it may have drained our credit).
        if let count = flow.deliveryCount {
            let consumed = count &- deliveryCount
            deliveryCount = count
            linkCredit = consumed >= linkCredit ? 0 : linkCredit - consumed
        }
    }

    /// Takes one transfer frame. Returns the delivery once its last frame is in.
    public mutating func transfer(_ transfer: AMQPTransfer, payload: ByteBuffer?) throws(AMQPError) -> Completed? {
        if transfer.aborted {
            partial = nil
            return nil
        }
        var bytes = payload ?? ByteBuffer()
        if var current = partial {
            guard current.payload.readableBytes + bytes.readableBytes <= maxMessageSize else {
                partial = nil
                throw AMQPError(condition: AMQPError.transferLimitExceeded, description: "message larger than \(maxMessageSize) bytes")
            }
            current.payload.writeBuffer(&bytes)
            if transfer.settled == true { current.settled = true }
            if transfer.more {
                partial = current
                return nil
            }
            partial = nil
            return Completed(deliveryID: current.deliveryID, deliveryTag: current.deliveryTag, settled: current.settled, payload: current.payload)
        }
        guard let deliveryID = transfer.deliveryID else {
            throw AMQPError(condition: AMQPError.invalidField, description: "first transfer of a delivery without delivery-id")
        }
        guard linkCredit > 0 else {
            throw AMQPError(condition: AMQPError.transferLimitExceeded, description: "transfer without link credit")
        }
        guard bytes.readableBytes <= maxMessageSize else {
            throw AMQPError(condition: AMQPError.transferLimitExceeded, description: "message larger than \(maxMessageSize) bytes")
        }
        linkCredit -= 1
        deliveryCount &+= 1
        let tag = transfer.deliveryTag ?? ByteBuffer()
        let settled = transfer.settled ?? false
        if transfer.more {
            // Copy, so the partial message does not pin the whole receive buffer of the first frame.
            var own = ByteBuffer()
            own.writeBuffer(&bytes)
            partial = Partial(deliveryID: deliveryID, deliveryTag: tag, settled: settled, payload: own)
            return nil
        }
        return Completed(deliveryID: deliveryID, deliveryTag: tag, settled: settled, payload: bytes)
    }

    public mutating func detaching() { state = .detaching }
    public mutating func detached() {
        state = .detached
        partial = nil
    }

    public func flowFields(into flow: inout AMQPFlow) {
        flow.handle = handle
        flow.deliveryCount = deliveryCount
        flow.linkCredit = linkCredit
    }
}
