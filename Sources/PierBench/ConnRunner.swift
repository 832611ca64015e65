#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import PierCore

/// Runs `conn`: ramps up idle connections, holds them, and reads the broker's RSS before and after.
///
/// One process holds at most RLIMIT_NOFILE sockets, so larger runs re-execute this binary as worker
/// processes (`bench conn --worker`). A worker prints `READY` once its ramp is done, holds its
/// connections until the parent writes a line to its stdin, then prints its `ConnResult` as JSON.
public struct ConnRunner {
    public var target: BenchTarget
    public var config: ConnConfig
    public var progress: ((String) -> Void)?

    public static let readyLine = "READY"

    public init(target: BenchTarget, config: ConnConfig, progress: ((String) -> Void)? = nil) {
        self.target = target
        self.config = config
        self.progress = progress
    }

    var brokerName: String { target.brokerName }
    var versionName: String { target.version == .v5 ? "5" : "3.1.1" }

    public func run() -> ConnResult {
        let fdLimit = ProcessMemory.raiseFileLimit()
        let count = config.processCount(fdLimit: fdLimit)
        if count <= 1 { return runLocal(worker: false) }
        return runWorkers(count)
    }

    /// The command line of worker `part`: the same target and scenario, for its share of connections,
    /// at its share of the rate, without broker RSS (the parent reads that once for all).
    public static func workerArguments(target: BenchTarget, config: ConnConfig, first: Int, connections: Int,
                                       workers: Int) -> [String] {
        var args = ["bench", "conn", "--worker",
                    "--host", target.host, "--port", "\(target.port)",
                    "--mqtt-version", target.version == .v5 ? "5" : "3.1.1",
                    "--keepalive", "\(target.keepAlive)",
                    "--source-addresses", "\(target.sourceAddresses)",
                    "--client-prefix", target.clientIDPrefix,
                    "--threads", "1",
                    "--connections", "\(connections)",
                    "--first-index", "\(first)",
                    "--rate", "\(config.rate / Double(workers))",
                    "--max-pending", "\(max(config.maxPending / workers, 1))",
                    "--topic-prefix", config.topicPrefix,
                    "--processes", "1",
                    "--hold", "\(config.hold)",
                    "--json"]
        if config.subscribe { args.append("--subscribe") }
        if let webSocket = target.webSocket {
            args += ["--websocket", "--ws-path", webSocket.path, "--ws-subprotocol", webSocket.subprotocol]
        }
        return args
    }

    // MARK: In process

    private struct RampState {
        var established = 0
        var failed = 0
        var pending = 0
        var errors: [String] = []
        var channels: [any Channel] = []
    }

    /// - Parameter worker: print `READY` and hold until stdin has a line, instead of holding for `hold`.
    public func runLocal(worker: Bool) -> ConnResult {
        ProcessMemory.raiseFileLimit()
        var result = ConnResult(broker: brokerName, mqttVersion: versionName, requested: config.connections,
                                subscribe: config.subscribe)
        result.brokerRssBefore = config.brokerPID.flatMap(ProcessMemory.rss(pid:))
        let connector = BenchConnector(target: target)
        defer { connector.shutdown() }
        let state = NIOLockedValueBox(RampState())
        let pid = getpid()

        let start = BenchClock.now()
        var launched = 0
        var lastReport = start
        while launched < config.connections {
            let elapsed = Double(BenchClock.now() - start) / 1e9
            let due = min(config.connections, Int(elapsed * config.rate) + 1)
            var pending = state.withLockedValue { $0.pending }
            while launched < due && pending < config.maxPending {
                let index = config.firstIndex + launched
                let options = BenchClientHandler.Options(
                    clientID: "\(target.clientIDPrefix)-\(pid)-c\(index)", version: target.version,
                    keepAlive: target.keepAlive, subscribeFilter: config.subscribe ? config.topic(forConnection: index) : nil)
                state.withLockedValue { $0.pending += 1 }
                connector.connect(index: index, options: options).whenComplete { result in
                    state.withLockedValue { s in
                        s.pending -= 1
                        switch result {
                        case .success(let channel):
                            s.established += 1
                            s.channels.append(channel)
                        case .failure(let error):
                            s.failed += 1
                            let text = "\(error)"
                            if s.errors.count < 20 && !s.errors.contains(text) { s.errors.append(text) }
                        }
                    }
                }
                launched += 1
                pending += 1
            }
            if BenchClock.now() - lastReport >= 1_000_000_000 {
                lastReport = BenchClock.now()
                let s = state.withLockedValue { ($0.established, $0.failed, $0.pending) }
                progress?("ramp: \(ResultTable.number(s.0)) established, \(s.1) failed, \(s.2) pending of \(ResultTable.number(config.connections))")
            }
            BenchSleep.seconds(0.002)
        }
        let settleEnd = BenchClock.now() + 30_000_000_000
        while state.withLockedValue({ $0.pending }) > 0 && BenchClock.now() < settleEnd {
            BenchSleep.seconds(0.01)
        }
        result.rampSeconds = Double(BenchClock.now() - start) / 1e9
        let ramp = state.withLockedValue { ($0.established, $0.failed) }
        progress?("ramp done: \(ResultTable.number(ramp.0)) established, \(ramp.1) failed in \(ResultTable.number(result.rampSeconds, decimals: 1)) s")

        let holdStart = BenchClock.now()
        if worker {
            print(Self.readyLine)
            fflush(nil)
            _ = readLine()
        } else {
            let holdEnd = holdStart + UInt64(config.hold * 1e9)
            while BenchClock.now() < holdEnd {
                BenchSleep.seconds(min(1.0, Double(holdEnd - min(BenchClock.now(), holdEnd)) / 1e9))
                let open = state.withLockedValue { $0.channels.filter(\.isActive).count }
                let rss = config.brokerPID.flatMap(ProcessMemory.rss(pid:)).map { ", broker RSS \(ResultTable.bytes($0))" } ?? ""
                progress?("holding \(ResultTable.number(open)) connections\(rss)")
            }
            result.brokerRssAfter = config.brokerPID.flatMap(ProcessMemory.rss(pid:))
        }
        result.holdSeconds = Double(BenchClock.now() - holdStart) / 1e9
        let final = state.withLockedValue { $0 }
        result.established = final.established
        result.failures = config.connections - final.established
        result.heldAtEnd = final.channels.filter(\.isActive).count
        result.errors = final.errors
        connector.disconnect(final.channels, timeout: .seconds(10))
        result.updateBytesPerConnection()
        return result
    }

    // MARK: Worker processes

    private func runWorkers(_ count: Int) -> ConnResult {
        var result = ConnResult(broker: brokerName, mqttVersion: versionName, requested: config.connections,
                                subscribe: config.subscribe, processes: count)
        let before = config.brokerPID.flatMap(ProcessMemory.rss(pid:))
        let executable = Self.ownExecutable() ?? CommandLine.arguments[0]
        var processes: [WorkerProcess] = []
        for part in config.split(into: count) where part.connections > 0 {
            let arguments = Self.workerArguments(target: target, config: config, first: part.first,
                                                 connections: part.connections, workers: count)
            do {
                processes.append(try WorkerProcess(executable: executable, arguments: arguments))
            } catch {
                result.errors.append("cannot start worker: \(error)")
            }
        }
        progress?("started \(processes.count) worker processes")

        // All ready (or gone) before the hold starts, so the hold sees every connection at once.
        let readyDeadline = BenchClock.now() + UInt64((Double(config.connections) / config.rate + 120) * 1e9)
        var lastReport = BenchClock.now()
        while BenchClock.now() < readyDeadline {
            let gone = processes.filter { !$0.isRunning }.count
            let ready = processes.filter { $0.lines.contains(Self.readyLine) }.count
            if ready + gone >= processes.count { break }
            if BenchClock.now() - lastReport >= 1_000_000_000 {
                lastReport = BenchClock.now()
                let rss = config.brokerPID.flatMap(ProcessMemory.rss(pid:)).map { ", broker RSS \(ResultTable.bytes($0))" } ?? ""
                progress?("ramp: \(ready)/\(processes.count) workers ready\(rss)")
            }
            BenchSleep.seconds(0.05)
        }
        let holdEnd = BenchClock.now() + UInt64(config.hold * 1e9)
        while BenchClock.now() < holdEnd {
            BenchSleep.seconds(min(1.0, Double(holdEnd - min(BenchClock.now(), holdEnd)) / 1e9))
            let rss = config.brokerPID.flatMap(ProcessMemory.rss(pid:)).map { "broker RSS \(ResultTable.bytes($0))" } ?? ""
            progress?("holding all workers' connections \(rss)")
        }
        let after = config.brokerPID.flatMap(ProcessMemory.rss(pid:))
        for process in processes {
            process.finishInput(with: "release\n")
        }
        var parts: [ConnResult] = []
        for process in processes {
            let status = process.waitUntilExit()
            if let json = process.lines.last(where: { $0.hasPrefix("{") }),
               let part = try? BenchJSON.decode(ConnResult.self, from: json) {
                parts.append(part)
            } else {
                result.errors.append("worker \(process.pid) exited with \(status) and no result")
            }
        }
        var merged = ConnResult.merge(parts, broker: brokerName, mqttVersion: versionName,
                                      requested: config.connections, subscribe: config.subscribe)
        merged.processes = count
        merged.errors = result.errors + merged.errors
        merged.brokerRssBefore = before
        merged.brokerRssAfter = after
        merged.holdSeconds = config.hold
        merged.updateBytesPerConnection()
        return merged
    }

    /// This binary, so workers run the same build even when started through a symlink or a relative path.
    private static func ownExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
