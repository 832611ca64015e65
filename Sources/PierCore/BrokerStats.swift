import Synchronization

/// Counters for `$SYS` and metrics. Relaxed atomics: they are statistics, not synchronisation.
public final class BrokerStats: Sendable {
    public let messagesReceived = Atomic<Int>(0)
    public let messagesSent = Atomic<Int>(0)
    public let bytesReceived = Atomic<Int>(0)
    public let bytesSent = Atomic<Int>(0)
    public let clientsConnected = Atomic<Int>(0)
    public let clientsMaximum = Atomic<Int>(0)
    public let messagesDropped = Atomic<Int>(0)
    /// The part of `messagesDropped` refused by a full offline queue of a persistent session.
    public let offlineMessagesDropped = Atomic<Int>(0)
    public let publishesDenied = Atomic<Int>(0)

    public init() {}

    func clientConnected() {
        let now = clientsConnected.add(1, ordering: .relaxed).newValue
        var seen = clientsMaximum.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = clientsMaximum.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }
}
