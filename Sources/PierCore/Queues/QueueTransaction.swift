import NIOConcurrencyHelpers

/// Sends and acks staged by one transacted session. Nothing takes effect until `QueueManager.commit`,
/// which writes them as one log record; `rollback` (or losing the connection) drops the sends and makes
/// the received messages redeliverable.
public final class QueueTransaction: Sendable {
    struct Staged {
        var sends: [(queue: String, message: Message)] = []
        var acks: [(consumer: QueueConsumer, tag: UInt64)] = []
        var topicPublishes: [Message] = []
        var ended = false
    }

    let staged = NIOLockedValueBox(Staged())

    public init() {}

    public var isEmpty: Bool { staged.withLockedValue { $0.sends.isEmpty && $0.acks.isEmpty && $0.topicPublishes.isEmpty } }

    /// Staged ops, taken once: the transaction is over afterwards.
    func take() -> Staged? {
        staged.withLockedValue { s in
            guard !s.ended else { return nil }
            let out = s
            s = Staged()
            s.ended = true
            return out
        }
    }

    func stage(_ body: (inout Staged) -> Void) throws(QueueError) {
        let ok = staged.withLockedValue { s -> Bool in
            guard !s.ended else { return false }
            body(&s)
            return true
        }
        if !ok { throw .transactionClosed }
    }
}
