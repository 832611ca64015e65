import NIOCore
import Synchronization

/// Decides when the systemd watchdog may be pinged: only once every event loop has run a probe task.
/// A loop that is stuck (a blocking call, a busy loop, a deadlock) never runs its probe, so no ping
/// goes out and systemd restarts the broker after `WatchdogSec`, as `systemd/pier.service` promises.
///
/// `probe()` is called on a timer (half the watchdog interval). Each call starts a round unless the
/// previous one is still waiting for a loop; the round's last answering loop sends the ping.
public final class LoopWatchdog: Sendable {
    private let loops: [any EventLoop]
    private let ping: @Sendable () -> Void
    /// Loops of the current round that have not answered yet; 0 when no round is open.
    private let outstanding = Mutex(0)

    public init(loops: [any EventLoop], ping: @escaping @Sendable () -> Void) {
        self.loops = loops
        self.ping = ping
    }

    /// Starts a round; returns false when the previous round is still waiting for a loop (no ping then).
    @discardableResult
    public func probe() -> Bool {
        let started = outstanding.withLock { count -> Bool in
            guard count == 0 else { return false }
            count = loops.count
            return true
        }
        guard started else { return false }
        if loops.isEmpty {
            ping()
            return true
        }
        for loop in loops {
            loop.execute { [self] in answered() }
        }
        return true
    }

    private func answered() {
        let last = outstanding.withLock { count -> Bool in
            count -= 1
            return count == 0
        }
        if last { ping() }
    }
}
