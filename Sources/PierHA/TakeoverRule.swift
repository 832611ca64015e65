/// Whether a standby that holds the lock may become active: the I/O-free half of the standby's loop.
///
/// The lock alone is not enough. On NFSv3 without a lock manager, on OCFS2 (AMQ-4378), or after someone
/// deletes `pier.lock`, two processes can both "hold" it; the lease is what keeps them apart then. A
/// standby takes over only when the lease was released, is absent, belongs to a process on this host
/// that has provably ended, or has not changed for a whole timeout as measured by the standby's own
/// monotonic clock (never by comparing wall clocks across hosts).
public struct TakeoverRule: Sendable {
    public enum Decision: Sendable, Equatable {
        case takeOver(String)
        case wait(String)
    }

    public var timeoutMillis: Int

    public init(timeoutMillis: Int) {
        self.timeoutMillis = timeoutMillis
    }

    /// - Parameters:
    ///   - unchangedForMillis: how long the lease has read exactly the same, by this process's clock.
    ///   - holderEnded: whether the record's holder has provably ended (`ProcessIdentity.hasProvablyEnded`).
    public func decide(_ lease: LeaseReading, unchangedForMillis: Int64, holderEnded: Bool) -> Decision {
        switch lease {
        case .missing:
            return .takeOver("no lease")
        case .record(let r) where r.state == .released:
            return .takeOver("lease released by \(r.holder.label)")
        case .record(let r) where holderEnded:
            return .takeOver("lease holder pid \(r.holder.pid) on this host has ended")
        case .record(let r):
            // The holder's own timeout counts if it is longer: it stops writing only at 3/4 of its own.
            let timeout = Int64(max(timeoutMillis, r.timeoutMillis))
            if unchangedForMillis >= timeout {
                return .takeOver("lease of \(r.holder.label) not renewed for \(unchangedForMillis) ms")
            }
            return .wait("lease of \(r.holder.label) renewed \(unchangedForMillis) ms ago")
        case .unreadable:
            if unchangedForMillis >= Int64(timeoutMillis) {
                return .takeOver("unreadable lease unchanged for \(unchangedForMillis) ms")
            }
            return .wait("unreadable lease, changed \(unchangedForMillis) ms ago")
        }
    }
}
