import Logging
import PierStore

#if canImport(Glibc)
import Glibc
#endif

/// One process of an active/standby pair on a shared data directory: waits as the standby until it may
/// become the active (see `TakeoverRule`), then hands back the `ActiveLease` that fences its writes.
public final class PairMember: @unchecked Sendable {
    public let lockPath: String
    public let leasePath: String
    public let options: HAOptions
    private let identity: ProcessIdentity
    private let logger: Logger

    public init(dataDirectory: String, options: HAOptions, identity: ProcessIdentity = .current(),
                logger: Logger = Logger(label: "pier.ha")) {
        self.lockPath = dataDirectory + "/pier.lock"
        self.leasePath = dataDirectory + "/pier.lease"
        self.options = options
        self.identity = identity
        self.logger = logger
    }

    /// Blocks until this process is the active, and returns its lease; nil if `shouldStop` said so first.
    /// `onStandbyPoll` runs after every poll while standing by (systemd status and watchdog pings).
    /// Throws `HAError.refused` under `ha.mode: refuse` when the directory is held.
    public func becomeActive(shouldStop: () -> Bool = { false },
                             onStandbyPoll: (String) -> Void = { _ in }) throws(HAError) -> ActiveLease? {
        let rule = TakeoverRule(timeoutMillis: options.leaseTimeoutMillis)
        var lock: LockFile?
        var holdsLock = false
        var fingerprint: [UInt8]?? = .none
        var unchangedSince = WallClock.monotonicNanoseconds()
        var announcedStandby = false
        var warnedBrokenLocks = false
        var lastStuckWarning: UInt64 = 0
        let waiter = LockWaiter()
        while !shouldStop() {
            // Reopen if the file was removed or replaced: the lock on a deleted file guards nothing.
            if let current = lock, !current.isStillAtPath() {
                lock = nil
                holdsLock = false
            }
            if lock == nil {
                do {
                    lock = try LockFile(path: lockPath)
                    if announcedStandby { lock?.markStandby() }
                } catch {
                    // A shared mount that is away (ARTEMIS-2069): keep polling until it is back.
                    logger.warning("cannot open the lock file; retrying", metadata: ["error": "\(error)"])
                }
            }
            let lease: LeaseReading
            do {
                lease = try LeaseFile.read(leasePath)
            } catch {
                logger.warning("cannot read the lease; retrying", metadata: ["error": "\(error)"])
                lease = .unreadable([])
            }
            let now = WallClock.monotonicNanoseconds()
            if fingerprint != .some(lease.fingerprint) {
                if holdsLock, fingerprint != nil, !warnedBrokenLocks, lease.record?.state == .active {
                    warnedBrokenLocks = true
                    logger.warning("this process holds the lock, yet the lease is still being renewed: the file system's locks are not reliable here (NFSv3 without lockd?); the lease keeps the pair apart")
                }
                fingerprint = .some(lease.fingerprint)
                unchangedSince = now
            }
            if let lock, !holdsLock {
                do { holdsLock = try lock.tryLockActive() } catch { logger.warning("lock attempt failed", metadata: ["error": "\(error)"]) }
            }
            let unchanged = Int64((now - unchangedSince) / 1_000_000)
            if holdsLock, let lock {
                let ended = lease.record.map { identity.hasProvablyEnded($0.holder) } ?? false
                switch rule.decide(lease, unchangedForMillis: unchanged, holderEnded: ended) {
                case .takeOver(let why):
                    lock.unmarkStandby()
                    logger.info("role: active", metadata: ["reason": "\(why)", "data_dir_lock": "\(lockPath)"])
                    return try ActiveLease(lock: lock, leasePath: leasePath, identity: identity, options: options,
                                           previous: lease.record, logger: logger)
                case .wait:
                    // Even under `refuse`: a lock that is free means the last holder is gone, and its lease
                    // runs out within the timeout (a restart after a crash must not be refused).
                    break
                }
            } else if options.mode == .refuse {
                throw .refused(refusal(lease, detail: "the lock is held"))
            }
            if !holdsLock, lease.record?.state == .active, unchanged >= max(10_000, 10 * Int64(options.leaseTimeoutMillis)),
               now - lastStuckWarning >= 60_000_000_000
            {
                // Takeover needs the lock; something holds it without renewing the lease.
                lastStuckWarning = now
                logger.warning("the lock is held but the lease has not been renewed: the active is hung, or its host crashed and the file server still holds its lock (an NFSv3 lock manager may hold it until that host returns)",
                               metadata: ["unrenewed_ms": "\(unchanged)", "holder": "\(lease.record.map(\.holder.label) ?? "?")"])
            }
            if !announcedStandby {
                announcedStandby = true
                lock?.markStandby()
                let holder = lease.record.map(\.holder.label) ?? "unknown"
                logger.info("role: standby", metadata: ["active": "\(holder)", "data_dir_lock": "\(lockPath)",
                                                        "poll_ms": "\(options.pollMillis)"])
            }
            onStandbyPoll(lease.record.map { "standby: \($0.holder.label) is active" } ?? "standby")
            // Once the lock is ours only the lease's age is left to watch: look more often than the poll.
            let sleepMillis = holdsLock ? max(5, min(options.pollMillis, 20)) : options.pollMillis
            if !holdsLock { waiter.arm(path: lockPath) }
            waiter.sleep(untilMonotonic: WallClock.monotonicNanoseconds() + UInt64(sleepMillis) * 1_000_000)
        }
        return nil
    }

    private func refusal(_ lease: LeaseReading, detail: String) -> String {
        let holder = lease.record.map { "pier pid \($0.holder.pid) on host \($0.holder.host)" } ?? "another process"
        return "data directory in use by \(holder) (\(detail)); ha.mode is refuse, so this process will not wait as a standby"
    }
}
