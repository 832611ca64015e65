/// The idle-connection scenario: open many connections slowly, each with a keepalive and optionally
/// one subscription of its own, hold them, and watch the broker's memory.
public struct ConnConfig: Sendable, Equatable {
    public var connections: Int
    /// New connections per second.
    public var rate: Double
    public var subscribe: Bool
    public var hold: Double
    public var brokerPID: Int32?
    /// Client processes; nil picks as many as the fd limit needs.
    public var processes: Int?
    /// Connections in the middle of their handshake at once; more only overflows the broker's accept backlog.
    public var maxPending: Int
    public var topicPrefix: String
    /// First global connection index, so worker processes use distinct client ids, topics and addresses.
    public var firstIndex: Int

    public init(connections: Int = 1000, rate: Double = 1000, subscribe: Bool = false, hold: Double = 5,
                brokerPID: Int32? = nil, processes: Int? = nil, maxPending: Int = 500,
                topicPrefix: String = "pier-bench", firstIndex: Int = 0) {
        self.connections = connections
        self.rate = rate
        self.subscribe = subscribe
        self.hold = hold
        self.brokerPID = brokerPID
        self.processes = processes
        self.maxPending = maxPending
        self.topicPrefix = topicPrefix
        self.firstIndex = firstIndex
    }

    public func validate() throws(BenchConfigError) {
        if connections < 1 { throw BenchConfigError("--connections must be at least 1") }
        if !(rate > 0) || !rate.isFinite { throw BenchConfigError("--rate must be a positive number of connections per second") }
        if hold < 0 || !hold.isFinite { throw BenchConfigError("--hold must not be negative") }
        if let processes, processes < 1 || processes > 64 { throw BenchConfigError("--processes must be 1…64") }
        if maxPending < 1 { throw BenchConfigError("--max-pending must be at least 1") }
        if let brokerPID, brokerPID <= 0 { throw BenchConfigError("--broker-pid must be a process id") }
    }

    public func topic(forConnection index: Int) -> String { "\(topicPrefix)/conn/\(index)" }

    /// Processes needed so that no process holds more sockets than `fdLimit` allows, keeping `reserve`
    /// descriptors for the runtime (event loops, pipes, stdio).
    public func processCount(fdLimit: Int, reserve: Int = 300) -> Int {
        if let processes { return processes }
        let perProcess = max(fdLimit - reserve, 1)
        return (connections + perProcess - 1) / perProcess
    }

    /// Splits the connections over `count` workers: (first global index, connections) for each.
    public func split(into count: Int) -> [(first: Int, connections: Int)] {
        let base = connections / count
        let extra = connections % count
        var parts: [(first: Int, connections: Int)] = []
        var next = firstIndex
        for i in 0..<count {
            let n = base + (i < extra ? 1 : 0)
            parts.append((next, n))
            next += n
        }
        return parts
    }
}
