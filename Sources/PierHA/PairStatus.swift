import PierStore

/// What `pier status --data DIR` reports: who is active, how fresh its lease is, whether a standby waits.
public struct PairStatus: Sendable {
    public var lease: LeaseReading
    /// Someone holds the active's lock.
    public var activeLockHeld: Bool
    /// At least one standby is waiting.
    public var standbyWaiting: Bool
    /// Wall-clock age of the last renewal; across hosts it includes their clock difference.
    public var leaseAgeMillis: Int64?

    public static func read(dataDirectory: String) throws(HAError) -> PairStatus {
        let lease = try LeaseFile.read(dataDirectory + "/pier.lease")
        var active = false
        var standby = false
        // Read-only: `pier status` may run as a user who cannot write the directory, and must not create files.
        if let lock = try? LockFile(path: dataDirectory + "/pier.lock", readOnly: true) {
            active = lock.isHeldElsewhere(.active)
            standby = lock.isHeldElsewhere(.standby)
        }
        let age = lease.record.map { WallClock.milliseconds() - $0.renewedMillis }
        return PairStatus(lease: lease, activeLockHeld: active, standbyWaiting: standby, leaseAgeMillis: age)
    }

    /// Whether an active process holds the directory now.
    public var hasActive: Bool {
        guard activeLockHeld, let r = lease.record else { return false }
        return r.state == .active
    }

    public var text: String {
        var lines: [String] = []
        switch lease {
        case .record(let r):
            let age = leaseAgeMillis.map { "\($0) ms ago" } ?? "?"
            if r.state == .active && activeLockHeld {
                lines.append("active: \(r.holder.label), epoch \(r.epoch); lease renewed \(age) (every \(r.leaseMillis) ms, timeout \(r.timeoutMillis) ms)")
            } else if r.state == .active {
                lines.append("active: none; the last lease (\(r.holder.label), epoch \(r.epoch)) was renewed \(age) and its lock is free: that process ended without releasing it")
            } else {
                lines.append("active: none; \(r.holder.label) released the lease \(age) (epoch \(r.epoch))")
            }
        case .missing:
            lines.append(activeLockHeld ? "active: a process holds the lock but has written no lease yet" : "active: none (no lease has been written)")
        case .unreadable:
            lines.append("active: unknown; the lease file is unreadable" + (activeLockHeld ? " and the lock is held" : ""))
        }
        lines.append("standby: " + (standbyWaiting ? "waiting" : "none"))
        return lines.joined(separator: "\n")
    }
}
