import NIOCore
import PierCore

/// Publishes broker statistics as retained messages under `$SYS/broker/`, mosquitto's layout.
final class SysTopicsPublisher: Sendable {
    static let version = "0.1.0"

    private let broker: Broker
    private let startedAt: Int64
    private let haRole: String

    init(broker: Broker, startedAt: Int64, haRole: String) {
        self.broker = broker
        self.startedAt = startedAt
        self.haRole = haRole
    }

    func start(on loop: any EventLoop, intervalSeconds: Int) -> RepeatedTask {
        loop.scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(Int64(intervalSeconds))) { [self] _ in
            publishAll()
        }
    }

    func publishAll() {
        let stats = broker.stats
        let uptime = (BrokerClock.nowMillis() - startedAt) / 1000
        let values: [(String, String)] = [
            ("version", "pier version \(Self.version)"),
            ("uptime", "\(uptime) seconds"),
            ("clients/connected", "\(stats.clientsConnected.load(ordering: .relaxed))"),
            ("clients/maximum", "\(stats.clientsMaximum.load(ordering: .relaxed))"),
            ("clients/total", "\(broker.sessionCount)"),
            ("messages/received", "\(stats.messagesReceived.load(ordering: .relaxed))"),
            ("messages/sent", "\(stats.messagesSent.load(ordering: .relaxed))"),
            ("messages/dropped", "\(stats.messagesDropped.load(ordering: .relaxed))"),
            ("messages/dropped/offline", "\(stats.offlineMessagesDropped.load(ordering: .relaxed))"),
            ("bytes/received", "\(stats.bytesReceived.load(ordering: .relaxed))"),
            ("bytes/sent", "\(stats.bytesSent.load(ordering: .relaxed))"),
            ("subscriptions/count", "\(broker.subscriptionCount)"),
            ("retained messages/count", "\(broker.retainedCount)"),
            ("ha/role", haRole),
        ]
        for (topic, value) in values {
            broker.publishSystem(Message(destination: .topic("$SYS/broker/" + topic), payload: ByteBuffer(string: value), retain: true))
        }
    }
}
