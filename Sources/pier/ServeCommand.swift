import ArgumentParser
import Dispatch
import Logging
import PierServer

#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the broker.")

    @Option(name: .long, help: "YAML config file (default: the embedded config, MQTT on 127.0.0.1:1883).")
    var config: String?

    @Option(name: [.short, .long], help: "Port of the first listener.")
    var port: Int?

    @Option(name: .long, help: "Bind address of the first listener.")
    var bind: String?

    @Option(name: .long, help: "Data directory.")
    var data: String?

    @Flag(name: .shortAndLong, help: "Debug logging.")
    var verbose = false

    @Flag(name: .long, help: "Cut away corruption in the middle of the log instead of refusing to start.")
    var repair = false

    func run() throws {
        var cfg: PierConfig
        do {
            cfg = try config.map { try PierConfig.load(path: $0) } ?? PierConfig.default
            try cfg.applyOverrides(port: port, bind: bind, dataDir: data)
        } catch {
            FileHandleStderr.write("pier: \(error)\n")
            throw ExitCode(2)
        }
        let level: Logger.Level = verbose ? .debug : cfg.logging.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pier")
        let server: BrokerServer
        do {
            server = try BrokerServer(config: cfg, repair: repair, logger: logger)
            try server.start()
        } catch {
            FileHandleStderr.write("pier: \(error)\n")
            throw ExitCode(1)
        }
        let notifier = SystemdNotifier.fromProcessEnvironment()
        _ = notifier?.notify("READY=1")

        var watchdog: DispatchSourceTimer?
        if let notifier, let interval = notifier.watchdogPingInterval {
            let timer = DispatchSource.makeTimerSource()
            let ms = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
            timer.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(max(ms, 100)))
            // Pinged only once every event loop has run a probe: a hung loop stops the pings.
            let probe = LoopWatchdog(loops: server.eventLoops) { _ = notifier.notify("WATCHDOG=1") }
            timer.setEventHandler { probe.probe() }
            timer.resume()
            watchdog = timer
        }

        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        logger.info("shutting down")
        _ = notifier?.notify("STOPPING=1")
        watchdog?.cancel()
        server.shutdown()
        _ = sources
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
