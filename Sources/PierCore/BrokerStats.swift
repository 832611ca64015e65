import CoreMetrics
import Synchronization

/// The core's counters, as swift-metrics handles from the broker's factory (Prometheus in a server, a
/// no-op by default). `clientsConnected` is also an atomic the connection limit reads: admission must
/// not depend on which metrics backend is installed.
public final class BrokerStats: Sendable {
    /// Topic publishes from clients (not `$SYS`), mosquitto's `messages/received`.
    public let messagesReceived: Counter
    public let messagesDropped: Counter
    /// The part of `messagesDropped` refused by a full offline queue of a persistent session.
    public let offlineMessagesDropped: Counter
    public let clientsConnected = Atomic<Int>(0)
    private let connectedGauge: Meter
    private let maximumGauge: Meter
    private let maximum = Atomic<Int>(0)

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        messagesReceived = Counter(label: "pier_messages_received_total", factory: factory)
        messagesDropped = Counter(label: "pier_messages_dropped_total", factory: factory)
        offlineMessagesDropped = Counter(label: "pier_offline_messages_dropped_total", factory: factory)
        connectedGauge = Meter(label: "pier_clients_connected", factory: factory)
        maximumGauge = Meter(label: "pier_clients_maximum", factory: factory)
    }

    public func clientConnected() {
        let now = clientsConnected.add(1, ordering: .relaxed).newValue
        connectedGauge.increment()
        var seen = maximum.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = maximum.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged {
                maximumGauge.set(now)
                break
            }
            seen = original
        }
    }

    public func clientDisconnected() {
        clientsConnected.subtract(1, ordering: .relaxed)
        connectedGauge.decrement()
    }
}
