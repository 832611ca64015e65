/// What a `pub`, `sub` or `pubsub` run measured. Rates are over the publishing window (`duration`).
public struct PubSubResult: Sendable, Codable, Equatable {
    public var command: String
    public var broker: String
    public var mqttVersion: String
    public var topology: String
    public var qos: Int
    public var size: Int
    public var publishers: Int
    public var subscribers: Int
    /// Target messages/s per publisher; nil is "max".
    public var rate: Double?
    public var duration: Double
    public var connectFailures: Int
    public var sent: Int
    /// QoS 1/2 publishes the broker acknowledged (PUBACK, or PUBCOMP for QoS 2).
    public var acknowledged: Int
    public var sentPerSecond: Double
    public var expected: Int
    public var received: Int
    /// Received while publishers were still publishing, divided by `duration`.
    public var receivedPerSecond: Double
    public var sentMbPerSecond: Double
    public var receivedMbPerSecond: Double
    /// Expected deliveries that never arrived (pubsub only; 0 when unknown).
    public var lost: Int
    public var duplicates: Int
    public var latencyUs: LatencySummary
    public var errors: [String]

    public init(command: String, broker: String, mqttVersion: String, topology: String, qos: Int, size: Int,
                publishers: Int, subscribers: Int, rate: Double?, duration: Double, connectFailures: Int = 0,
                sent: Int = 0, acknowledged: Int = 0, sentPerSecond: Double = 0, expected: Int = 0, received: Int = 0,
                receivedPerSecond: Double = 0, sentMbPerSecond: Double = 0, receivedMbPerSecond: Double = 0,
                lost: Int = 0, duplicates: Int = 0, latencyUs: LatencySummary = .init(), errors: [String] = []) {
        self.command = command
        self.broker = broker
        self.mqttVersion = mqttVersion
        self.topology = topology
        self.qos = qos
        self.size = size
        self.publishers = publishers
        self.subscribers = subscribers
        self.rate = rate
        self.duration = duration
        self.connectFailures = connectFailures
        self.sent = sent
        self.acknowledged = acknowledged
        self.sentPerSecond = sentPerSecond
        self.expected = expected
        self.received = received
        self.receivedPerSecond = receivedPerSecond
        self.sentMbPerSecond = sentMbPerSecond
        self.receivedMbPerSecond = receivedMbPerSecond
        self.lost = lost
        self.duplicates = duplicates
        self.latencyUs = latencyUs
        self.errors = errors
    }

    public var table: String {
        typealias T = ResultTable
        let rateText = rate.map { T.number($0, decimals: $0 < 10 ? 1 : 0) + " msg/s per publisher" } ?? "max"
        var rows: [[String]] = [["metric", "value"]]
        rows.append(["scenario", "\(command) \(topology), QoS \(qos), \(size) B, MQTT \(mqttVersion)"])
        rows.append(["broker", broker])
        rows.append(["rate", rateText])
        rows.append(["duration", T.number(duration, decimals: 1) + " s"])
        rows.append(["connect failures", T.number(connectFailures)])
        if publishers > 0 {
            rows.append(["sent", T.number(sent)])
            if qos > 0 { rows.append(["acknowledged", T.number(acknowledged)]) }
            rows.append(["sent msg/s", T.number(sentPerSecond)])
            rows.append(["sent MB/s", T.number(sentMbPerSecond, decimals: 2)])
        }
        if subscribers > 0 {
            if expected > 0 { rows.append(["expected", T.number(expected)]) }
            rows.append(["received", T.number(received)])
            rows.append(["received msg/s", T.number(receivedPerSecond)])
            rows.append(["received MB/s", T.number(receivedMbPerSecond, decimals: 2)])
            if publishers > 0 { rows.append(["lost", T.number(lost)]) }
            if duplicates > 0 { rows.append(["duplicates", T.number(duplicates)]) }
            rows.append(["latency p50", T.number(latencyUs.p50, decimals: 1) + " µs"])
            rows.append(["latency p99", T.number(latencyUs.p99, decimals: 1) + " µs"])
            rows.append(["latency p99.9", T.number(latencyUs.p999, decimals: 1) + " µs"])
            rows.append(["latency max", T.number(latencyUs.max, decimals: 1) + " µs"])
        }
        for e in errors { rows.append(["error", e]) }
        return ResultTable.render(rows)
    }

    public func json() -> String { BenchJSON.encode(self) }
}
