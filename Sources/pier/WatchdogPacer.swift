import PierServer
import PierStore

/// Keeps systemd informed while the process stands by: the status line, and watchdog pings at half the
/// interval (READY=1 comes only once the process is active, so a standby unit stays "activating").
final class WatchdogPacer {
    private let notifier: SystemdNotifier?
    private var lastPing: UInt64 = 0
    private var lastStatus = ""

    init(notifier: SystemdNotifier?) {
        self.notifier = notifier
    }

    func standby(status: String) {
        guard let notifier else { return }
        if status != lastStatus {
            lastStatus = status
            _ = notifier.notify("STATUS=\(status)")
        }
        guard let interval = notifier.watchdogPingInterval else { return }
        let nanos = UInt64(interval.components.seconds) * 1_000_000_000 + UInt64(interval.components.attoseconds / 1_000_000_000)
        let now = WallClock.monotonicNanoseconds()
        if now - lastPing >= nanos {
            lastPing = now
            _ = notifier.notify("WATCHDOG=1")
        }
    }
}
