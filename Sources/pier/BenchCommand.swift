import ArgumentParser
import PierBench
import PierCore

#if canImport(Glibc)
import Glibc
#endif

/// `pier bench`: an MQTT 3.1.1/5.0 load generator for any broker (the engine is `PierBench`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test an MQTT broker (any broker, MQTT 3.1.1 or 5.0).",
        subcommands: [Conn.self, Pub.self, Sub.self, PubSub.self])

    /// Where to connect and how, shared by every subcommand.
    struct TargetOptions: ParsableArguments {
        @Option(help: "Broker host.")
        var host = "127.0.0.1"

        @Option(name: [.short, .long], help: "Broker port.")
        var port = 1883

        @Option(name: .customLong("mqtt-version"), help: "MQTT version: 3.1.1 or 5.")
        var mqttVersion = "3.1.1"

        @Option(help: "Keep alive in seconds.")
        var keepalive = 60

        @Option(name: .customLong("source-addresses"),
                help: "Spread client sockets over 127.0.0.1…127.0.0.N (0: let the kernel choose).")
        var sourceAddresses = 1

        @Option(name: .customLong("client-prefix"), help: "Client identifier prefix.")
        var clientPrefix = "pier-bench"

        @Option(help: "Event loop threads (default: one per core).")
        var threads = BenchTarget.defaultThreads

        @Flag(help: "Connect over WebSocket: an HTTP/1.1 upgrade, then MQTT in binary frames.")
        var websocket = false

        @Option(name: .customLong("ws-path"), help: "WebSocket upgrade request path (with --websocket).")
        var wsPath = "/mqtt"

        @Option(name: .customLong("ws-subprotocol"), help: "Sec-WebSocket-Protocol offered (with --websocket).")
        var wsSubprotocol = "mqtt"

        @Flag(help: "Print the result as one JSON object instead of a table.")
        var json = false

        func target() throws -> BenchTarget {
            guard let version = BenchTarget.parseVersion(mqttVersion) else {
                throw ValidationError("--mqtt-version must be 3.1.1 or 5, got \(mqttVersion)")
            }
            guard (1...65535).contains(keepalive) else { throw ValidationError("--keepalive must be 1…65535") }
            let target = BenchTarget(host: host, port: port, version: version, keepAlive: UInt16(keepalive),
                                     sourceAddresses: sourceAddresses, clientIDPrefix: clientPrefix,
                                     eventLoopThreads: threads,
                                     webSocket: websocket ? BenchWebSocket(path: wsPath, subprotocol: wsSubprotocol) : nil)
            do throws(BenchConfigError) { try target.validate() } catch { throw ValidationError(error.message) }
            return target
        }

        func emit(table: String, json text: String) {
            print(json ? text : table)
        }
    }

    /// The publish/subscribe scenario options of `pub`, `sub` and `pubsub`.
    struct ScenarioOptions: ParsableArguments {
        @Option(help: "Publishing clients (all on one topic).")
        var publishers = 1

        @Option(help: "Subscribing clients (all on that topic).")
        var subscribers = 1

        @Option(help: "Point to point: N publisher/subscriber pairs, each pair on its own topic.")
        var pairs = 0

        @Option(help: "QoS 0, 1 or 2.")
        var qos = 0

        @Option(help: "Payload bytes (at least 16: timestamp and sequence).")
        var size = 64

        @Option(help: "Messages per second per publisher, or 'max'.")
        var rate = "max"

        @Option(help: "Seconds of publishing (or of listening, for sub).")
        var duration = 10.0

        @Option(help: "QoS 1/2 messages in flight per publisher.")
        var inflight = 100

        @Option(help: "pubsub only: deliveries in flight before publishers wait for subscribers.")
        var backlog = 20_000

        @Option(name: .customLong("topic-prefix"), help: "Topic prefix.")
        var topicPrefix = "pier-bench"

        @Option(help: "Seconds to wait for stragglers after publishing stops.")
        var drain = 3.0

        func config(side: PubSubRunner.Side) throws -> PubSubConfig {
            guard let q = QoS(rawValue: UInt8(clamping: max(qos, 0))), qos >= 0 else {
                throw ValidationError("--qos must be 0, 1 or 2, got \(qos)")
            }
            guard let parsedRate = PubSubConfig.parseRate(rate) else {
                throw ValidationError("--rate must be a positive number or 'max', got \(rate)")
            }
            let config = PubSubConfig(publishers: publishers, subscribers: subscribers, pairs: pairs, qos: q, size: size,
                                      rate: parsedRate, duration: duration, inflight: inflight, backlog: backlog,
                                      topicPrefix: topicPrefix, drain: drain)
            do throws(BenchConfigError) {
                try config.validate(needPublishers: side.publishes, needSubscribers: side.subscribes)
            } catch {
                throw ValidationError(error.message)
            }
            return config
        }
    }

    struct Conn: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open many idle connections at a ramp rate, hold them, report the broker's RSS.")

        @OptionGroup var target: TargetOptions

        @Option(name: [.short, .long], help: "Connections to open.")
        var connections = 1000

        @Option(help: "New connections per second.")
        var rate = 1000.0

        @Flag(help: "Each connection subscribes to a topic of its own.")
        var subscribe = false

        @Option(help: "Seconds to hold the connections once all are open.")
        var hold = 5.0

        @Option(name: .customLong("broker-pid"), help: "Broker process whose RSS to report.")
        var brokerPID: Int32?

        @Option(help: "Client processes (default: as many as the fd limit requires).")
        var processes: Int?

        @Option(name: .customLong("max-pending"), help: "Connection handshakes in progress at once.")
        var maxPending = 500

        @Option(name: .customLong("topic-prefix"), help: "Topic prefix.")
        var topicPrefix = "pier-bench"

        @Flag(help: .hidden)
        var worker = false

        @Option(name: .customLong("first-index"), help: .hidden)
        var firstIndex = 0

        func config() throws -> ConnConfig {
            let config = ConnConfig(connections: connections, rate: rate, subscribe: subscribe, hold: hold,
                                    brokerPID: brokerPID, processes: processes, maxPending: maxPending,
                                    topicPrefix: topicPrefix, firstIndex: firstIndex)
            do throws(BenchConfigError) { try config.validate() } catch { throw ValidationError(error.message) }
            return config
        }

        func validate() throws {
            _ = try target.target()
            _ = try config()
        }

        func run() throws {
            var runner = ConnRunner(target: try target.target(), config: try config())
            if !worker { runner.progress = BenchCommand.progressLine }
            let result = worker ? runner.runLocal(worker: true) : runner.run()
            target.emit(table: result.table, json: result.json())
            if result.established == 0 { throw ExitCode.failure }
        }
    }

    struct Pub: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish only (pair it with `bench sub`).")
        @OptionGroup var target: TargetOptions
        @OptionGroup var scenario: ScenarioOptions

        func validate() throws {
            _ = try target.target()
            _ = try scenario.config(side: .pub)
        }

        func run() throws { try BenchCommand.runPubSub(target, scenario, side: .pub) }
    }

    struct Sub: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribe only and time what arrives (pair it with `bench pub`).")
        @OptionGroup var target: TargetOptions
        @OptionGroup var scenario: ScenarioOptions

        func validate() throws {
            _ = try target.target()
            _ = try scenario.config(side: .sub)
        }

        func run() throws { try BenchCommand.runPubSub(target, scenario, side: .sub) }
    }

    struct PubSub: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pubsub",
            abstract: "Publishers and subscribers in one process: throughput, loss and end-to-end latency.")
        @OptionGroup var target: TargetOptions
        @OptionGroup var scenario: ScenarioOptions

        func validate() throws {
            _ = try target.target()
            _ = try scenario.config(side: .pubsub)
        }

        func run() throws { try BenchCommand.runPubSub(target, scenario, side: .pubsub) }
    }

    static func runPubSub(_ target: TargetOptions, _ scenario: ScenarioOptions, side: PubSubRunner.Side) throws {
        let runner = PubSubRunner(target: try target.target(), config: try scenario.config(side: side), side: side,
                                  progress: progressLine)
        let result = runner.run()
        target.emit(table: result.table, json: result.json())
        let worked = side == .pub ? result.sent > 0 : result.received > 0
        if !worked { throw ExitCode.failure }
    }

    /// Progress goes to stderr so `--json` output on stdout stays clean.
    static func progressLine(_ line: String) {
        let text = "[bench] \(line)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
