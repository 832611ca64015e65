/// ActiveMQ's producer audit: the highest sequence id stored per JMS producer, so a send the failover
/// transport replays after a reconnect (same producer id, same sequence) is acknowledged but not stored
/// twice. A producer's sequence ids only grow, and one connection carries its sends in order, so any id
/// not above the highest is a resend. Holds at most `capacity` producers; the longest-known go first.
public struct OpenWireProducerAudit: Sendable {
    public let capacity: Int
    private var highest: [String: Int64] = [:]
    /// Producers in the order they were first recorded, for eviction; `head` is the oldest still kept.
    private var order: [String] = []
    private var head = 0

    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { highest.count }

    static func key(_ id: OpenWireMessageId) -> String? {
        guard id.textView == nil, let p = id.producerId, let connection = p.connectionId, !connection.isEmpty else { return nil }
        return "\(connection):\(p.sessionId):\(p.value)"
    }

    /// True if a message with this id (or a later one of its producer) was already recorded.
    public func isDuplicate(_ id: OpenWireMessageId) -> Bool {
        guard let key = Self.key(id), let last = highest[key] else { return false }
        return id.producerSequenceId <= last
    }

    /// Records a stored message.
    public mutating func record(_ id: OpenWireMessageId) {
        guard let key = Self.key(id) else { return }
        if let last = highest[key] {
            highest[key] = max(last, id.producerSequenceId)
            return
        }
        highest[key] = id.producerSequenceId
        order.append(key)
        while highest.count > capacity, head < order.count {
            highest[order[head]] = nil
            head += 1
        }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
