/// What a `conn` run measured; also the line a worker process prints for its parent.
public struct ConnResult: Sendable, Codable, Equatable {
    public var broker: String
    public var mqttVersion: String
    public var requested: Int
    public var established: Int
    public var failures: Int
    public var subscribe: Bool
    public var processes: Int
    public var rampSeconds: Double
    public var holdSeconds: Double
    /// Connections still open at the end of the hold.
    public var heldAtEnd: Int
    public var brokerRssBefore: Int?
    public var brokerRssAfter: Int?
    public var bytesPerConnection: Double?
    public var errors: [String]

    public init(broker: String, mqttVersion: String, requested: Int, established: Int = 0, failures: Int = 0,
                subscribe: Bool, processes: Int = 1, rampSeconds: Double = 0, holdSeconds: Double = 0, heldAtEnd: Int = 0,
                brokerRssBefore: Int? = nil, brokerRssAfter: Int? = nil, errors: [String] = []) {
        self.broker = broker
        self.mqttVersion = mqttVersion
        self.requested = requested
        self.established = established
        self.failures = failures
        self.subscribe = subscribe
        self.processes = processes
        self.rampSeconds = rampSeconds
        self.holdSeconds = holdSeconds
        self.heldAtEnd = heldAtEnd
        self.brokerRssBefore = brokerRssBefore
        self.brokerRssAfter = brokerRssAfter
        self.errors = errors
        updateBytesPerConnection()
    }

    public mutating func updateBytesPerConnection() {
        if let before = brokerRssBefore, let after = brokerRssAfter, established > 0 {
            bytesPerConnection = (Double(after - before) / Double(established)).rounded()
        } else {
            bytesPerConnection = nil
        }
    }

    /// Sums worker results into one (the RSS fields are the parent's to fill).
    public static func merge(_ parts: [ConnResult], broker: String, mqttVersion: String, requested: Int,
                             subscribe: Bool) -> ConnResult {
        var r = ConnResult(broker: broker, mqttVersion: mqttVersion, requested: requested, subscribe: subscribe,
                           processes: parts.count)
        for p in parts {
            r.established += p.established
            r.failures += p.failures
            r.heldAtEnd += p.heldAtEnd
            r.rampSeconds = max(r.rampSeconds, p.rampSeconds)
            r.holdSeconds = max(r.holdSeconds, p.holdSeconds)
            r.errors += p.errors
        }
        // A worker that died reports nothing: its connections count as failures.
        r.failures = max(r.failures, requested - r.established)
        return r
    }

    public var table: String {
        typealias T = ResultTable
        var rows: [[String]] = [["metric", "value"]]
        rows.append(["scenario", "conn, MQTT \(mqttVersion)" + (subscribe ? ", one subscription each" : "")])
        rows.append(["broker", broker])
        rows.append(["requested", T.number(requested)])
        rows.append(["established", T.number(established)])
        rows.append(["failures", T.number(failures)])
        rows.append(["held at end", T.number(heldAtEnd)])
        rows.append(["client processes", T.number(processes)])
        rows.append(["ramp", T.number(rampSeconds, decimals: 1) + " s"])
        rows.append(["hold", T.number(holdSeconds, decimals: 1) + " s"])
        if let b = brokerRssBefore { rows.append(["broker RSS before", T.bytes(b)]) }
        if let a = brokerRssAfter { rows.append(["broker RSS after", T.bytes(a)]) }
        if let per = bytesPerConnection { rows.append(["bytes per connection", T.number(per)]) }
        for e in errors.prefix(10) { rows.append(["error", e]) }
        if errors.count > 10 { rows.append(["error", "… \(errors.count - 10) more"]) }
        return ResultTable.render(rows)
    }

    public func json() -> String { BenchJSON.encode(self) }
}
