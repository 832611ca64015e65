/// Messages waiting for a persistent session while it is offline, with their size, and the state of
/// the rate-limited warning about drops. Empty, it costs as little as the `MessageQueue` it wraps.
struct OfflineQueue: Sequence {
    private(set) var messages = MessageQueue<Delivery>()
    /// Sum of `size(of:)` over `messages`: what the queue holds in the log (and in memory).
    private(set) var bytes = 0
    /// Drops since the last warning, and when that warning was logged (milliseconds).
    var dropsSinceWarning = 0
    var lastWarningMillis: Int64 = 0

    var count: Int { messages.count }
    var isEmpty: Bool { messages.isEmpty }

    /// What a queued message counts against `BrokerLimits.maxQueuedBytes`: its payload and topic.
    static func size(of delivery: Delivery) -> Int {
        delivery.message.payload.readableBytes + delivery.message.topic.utf8.count
    }

    mutating func append(_ delivery: Delivery) {
        messages.append(delivery)
        bytes += Self.size(of: delivery)
    }

    mutating func removeAll() {
        messages.removeAll()
        bytes = 0
    }

    func makeIterator() -> ArraySlice<Delivery>.Iterator { messages.makeIterator() }
}
