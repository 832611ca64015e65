import NIOCore
import PierCore
import PierMetrics

/// Publishes broker statistics as retained messages under `$SYS/broker/`, mosquitto's layout. Every
/// figure is read from the metrics registry, so `$SYS` and `/metrics` always agree.
final class SysTopicsPublisher: Sendable {
    static let version = "0.1.0"

    private let broker: Broker
    private let metrics: MetricsRegistry
    private let startedAt: Int64
    private let haRole: String

    init(broker: Broker, metrics: MetricsRegistry, startedAt: Int64, haRole: String) {
        self.broker = broker
        self.metrics = metrics
        self.startedAt = startedAt
        self.haRole = haRole
    }

    func start(on loop: any EventLoop, intervalSeconds: Int) -> RepeatedTask {
        loop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: .seconds(Int64(intervalSeconds))) { [self] _ in
            metrics.snapshot(on: loop).map { [self] in publish($0) }
        }
    }

    /// `$SYS` topic → value, from one snapshot of the registry.
    func values(_ m: MetricsSnapshot) -> [(String, String)] {
        let uptime = (BrokerClock.nowMillis() - startedAt) / 1000
        return [
            ("version", "pier version \(Self.version)"),
            ("uptime", "\(uptime) seconds"),
            ("clients/connected", "\(m.count("pier_clients_connected"))"),
            ("clients/maximum", "\(m.count("pier_clients_maximum"))"),
            ("clients/total", "\(m.count("pier_sessions"))"),
            ("messages/received", "\(m.count("pier_messages_received_total"))"),
            ("messages/sent", "\(m.count("pier_listener_messages_sent_total"))"),
            ("messages/dropped", "\(m.count("pier_messages_dropped_total"))"),
            ("messages/dropped/offline", "\(m.count("pier_offline_messages_dropped_total"))"),
            ("bytes/received", "\(m.count("pier_listener_received_bytes_total"))"),
            ("bytes/sent", "\(m.count("pier_listener_sent_bytes_total"))"),
            ("subscriptions/count", "\(m.count("pier_subscriptions"))"),
            ("retained messages/count", "\(m.count("pier_retained_messages"))"),
            ("queues/count", "\(m.count("pier_queues"))"),
            ("queues/enqueued", "\(m.count("pier_queue_enqueued_total"))"),
            ("queues/dequeued", "\(m.count("pier_queue_dequeued_total"))"),
            ("queues/dead lettered", "\(m.count("pier_queue_dead_lettered_total"))"),
            ("ha/role", haRole),
        ]
    }

    private func publish(_ snapshot: MetricsSnapshot) {
        for (topic, value) in values(snapshot) {
            broker.publishSystem(Message(destination: .topic("$SYS/broker/" + topic), payload: ByteBuffer(string: value), retain: true))
        }
    }
}
