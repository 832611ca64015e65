import NIOCore

/// One link as the server sees it. `incoming`: the peer sends (Pier is the receiver, granting credit
/// and reassembling multi-frame deliveries). `outgoing`: Pier sends within the peer's credit, holding
/// what the core delivered beyond it.
struct AMQPServerLink {
    enum Role: Equatable { case incoming, outgoing }

    struct Pending {
        var token: UInt64
        var payload: ByteBuffer
    }

    let name: String
    let role: Role
    /// False until the adapter accepted the attach; a refused link waits for the peer's detach.
    var attached = false
    /// Pier detached it already (a refusal): the peer's detach is the answer, not something to answer.
    var detachSent = false
    var deliveryCount: UInt32 = 0
    var linkCredit: UInt32 = 0
    /// Outgoing: the peer settles nothing (snd-settle-mode settled), so deliveries go out settled.
    var presettled = false
    var drain = false
    /// Outgoing: deliveries the core handed over beyond the credit, oldest first.
    var pending: [Pending] = []
    var pendingHead = 0
    /// Incoming: unsettled deliveries handed to the core whose outcome has not come back.
    var awaitingSettlement = 0
    /// Incoming: the delivery being reassembled.
    var partial: (deliveryID: UInt32, settled: Bool, transaction: ByteBuffer?, payload: ByteBuffer)?

    init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    var pendingCount: Int { pending.count - pendingHead }

    mutating func popPending() -> Pending? {
        guard pendingHead < pending.count else { return nil }
        let p = pending[pendingHead]
        pendingHead += 1
        if pendingHead > 64 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        return p
    }

    /// Every held delivery, for the core to take back.
    mutating func takePending() -> [UInt64] {
        defer {
            pending = []
            pendingHead = 0
        }
        return pending[pendingHead...].map(\.token)
    }

    /// Credit the core may still use: the peer's credit less what is already held here.
    var availableCredit: Int { max(0, Int(linkCredit) - pendingCount) }
}
