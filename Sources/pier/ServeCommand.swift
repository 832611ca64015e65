import ArgumentParser
import Dispatch
import Logging
import NIOConcurrencyHelpers
import PierAdmin
import PierHA
import PierServer
import PierStore

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

    /// Exit status after a fence: the process lost its lease and stopped writing (EX_TEMPFAIL, so systemd's
    /// Restart=on-failure brings it back as a standby).
    static let fencedStatus: Int32 = 75

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
        let format = cfg.logging.format
        // Every record also goes to the admin console's log tail (`/api/events`), at the same level.
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .json: handler = JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return AdminLogHandler(wrapping: handler, label: label)
        }
        let logger = Logger(label: "pier")
        let notifier = SystemdNotifier.fromProcessEnvironment()
        let stop = ShutdownSignal()

        // A standby binds nothing and opens no log: it only holds the standby mark and watches the lease.
        var lease: ActiveLease?
        if cfg.storage.engine == .log {
            do {
                try BrokerServer.makeDirectory(cfg.dataDir)
                for warning in SharedStorageCheck.warnings(forDirectory: cfg.dataDir) { logger.warning("\(warning)") }
                let member = PairMember(dataDirectory: cfg.dataDir, options: cfg.ha.options, logger: logger)
                let pinger = WatchdogPacer(notifier: notifier)
                lease = try member.becomeActive(shouldStop: { stop.requested }, onStandbyPoll: { status in
                    pinger.standby(status: status)
                })
            } catch HAError.refused(let why) {
                FileHandleStderr.write("pier: \(why)\n")
                throw ExitCode(2)
            } catch {
                FileHandleStderr.write("pier: \(error)\n")
                throw ExitCode(1)
            }
            guard lease != nil else {
                logger.info("stopped while standing by")
                return
            }
        }
        let activeSince = WallClock.monotonicNanoseconds()
        let serverBox = NIOLockedValueBox<BrokerServer?>(nil)
        // Renewal starts before recovery: replaying a long log can take longer than the lease.
        lease?.start { reason in
            let end = serverBox.withLockedValue { $0 }?.stopWritingAfterFence() ?? "not opened"
            logger.critical("fenced: no further writes; exiting", metadata: ["reason": "\(reason)", "log_end": "\(end)"])
            _exit(Self.fencedStatus)
        }

        let server: BrokerServer
        do {
            server = try BrokerServer(config: cfg, repair: repair, fence: lease, logger: logger)
            serverBox.withLockedValue { $0 = server }
            try server.start()
        } catch {
            FileHandleStderr.write("pier: \(error)\n")
            lease?.release()
            throw ExitCode(1)
        }
        _ = notifier?.notify("READY=1\nSTATUS=active")
        // From holding the directory to accepting clients: the part of a takeover that is recovery.
        logger.info("serving", metadata: ["since_active_ms": "\((WallClock.monotonicNanoseconds() - activeSince) / 1_000_000)"])

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

        stop.wait()
        logger.info("shutting down")
        _ = notifier?.notify("STOPPING=1")
        watchdog?.cancel()
        server.shutdown()
        // Only after the log is closed: the standby may start writing the moment the lease is released.
        lease?.release()
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        FileDescriptorOutput.write(text, to: 2)
    }
}
