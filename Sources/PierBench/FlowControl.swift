import NIOConcurrencyHelpers
import NIOCore

/// Keeps publishers at most `backlog` deliveries ahead of the subscribers when both run in this process,
/// so "max rate" measures what the broker delivers instead of how deep its queues are.
///
/// Publishers ask once per burst and subscribers report once per loop tick, so the lock is taken a few
/// thousand times a second, not per message. A broker that drops QoS 0 messages would stall the
/// publishers for good; after `stallNanos` without any receipt the missing deliveries are written off.
final class FlowControl: Sendable {
    private struct State {
        var sent = 0
        var received = 0
        var writtenOff = 0
        var lastProgress: UInt64 = 0
    }

    let fanOut: Int
    let backlog: Int
    let stallNanos: UInt64
    private let state: NIOLockedValueBox<State>

    init(fanOut: Int, backlog: Int, stallNanos: UInt64 = 500_000_000) {
        self.fanOut = max(fanOut, 1)
        self.backlog = backlog
        self.stallNanos = stallNanos
        state = NIOLockedValueBox(State(lastProgress: BenchClock.now()))
    }

    /// Publishes that may be sent now.
    func allowance(now: UInt64) -> Int {
        state.withLockedValue { s in
            let outstanding = s.sent * fanOut - s.received - s.writtenOff
            if outstanding >= backlog {
                guard now &- s.lastProgress > stallNanos else { return 0 }
                s.writtenOff += outstanding
                s.lastProgress = now
                return max(backlog / fanOut, 1)
            }
            let allowed = (backlog - outstanding) / fanOut
            return allowed == 0 && outstanding <= 0 ? 1 : allowed
        }
    }

    func didSend(_ count: Int) {
        state.withLockedValue { $0.sent += count }
    }

    func didReceive(_ count: Int, now: UInt64) {
        state.withLockedValue {
            $0.received += count
            $0.lastProgress = now
        }
    }
}
