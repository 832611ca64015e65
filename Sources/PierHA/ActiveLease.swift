import Logging
import PierStore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The active's hold on the data directory: the lock, the lease it renews, and the fence on every write.
///
/// A renewal thread rewrites `pier.lease` every `leaseMillis`. Writes are permitted until three quarters
/// of the lease timeout after the start of the last renewal that succeeded; a standby waits a whole
/// timeout after it last saw the lease change, so the active has stopped before any standby starts.
/// The renewal also checks that the lock file is still the one locked and that the lease still names
/// this process; if not, or if renewals fail until the window closes, the lease is fenced: no write is
/// permitted again, and `onFence` runs once (the server logs and exits).
public final class ActiveLease: WriteFence, @unchecked Sendable {
    public let options: HAOptions
    public let leasePath: String
    private let lock: LockFile
    private let logger: Logger
    /// Monotonic nanoseconds until which writes are permitted; 0 once fenced.
    private let writeDeadline = Atomic<UInt64>(0)
    private let fenced = Atomic<Bool>(false)
    private let condition = Condition()
    // Guarded by `condition`.
    private var stopping = false
    private var thread: pthread_t?
    // Renewal thread only, after init.
    private var current: LeaseRecord
    private var onFence: (@Sendable (String) -> Void)?

    /// Writes the first record of a new epoch; the lock must already be held.
    init(lock: LockFile, leasePath: String, identity: ProcessIdentity, options: HAOptions, previous: LeaseRecord?,
         logger: Logger) throws(HAError) {
        self.lock = lock
        self.leasePath = leasePath
        self.options = options
        self.logger = logger
        var owner: UInt64 = 0
        while owner == 0 { owner = UInt64.random(in: .min ... .max) }
        current = LeaseRecord(state: .active, owner: owner, epoch: (previous?.epoch ?? 0) + 1, sequence: 1, holder: identity,
                              renewedMillis: WallClock.milliseconds(), leaseMillis: options.leaseMillis,
                              timeoutMillis: options.leaseTimeoutMillis)
        let start = WallClock.monotonicNanoseconds()
        try LeaseFile.write(current, to: leasePath)
        writeDeadline.store(start + UInt64(options.writeWindowMillis) * 1_000_000, ordering: .releasing)
    }

    public var record: LeaseRecord { current }
    public var isFenced: Bool { fenced.load(ordering: .acquiring) }

    public func permitsWrite() -> Bool {
        WallClock.monotonicNanoseconds() < writeDeadline.load(ordering: .acquiring)
    }

    /// Starts renewing. `onFence` runs at most once, on the renewal thread, after writes are already refused.
    public func start(onFence: @escaping @Sendable (String) -> Void) {
        self.onFence = onFence
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let lease = Unmanaged<ActiveLease>.fromOpaque(arg!).takeRetainedValue()
            lease.run()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        thread = tid
    }

    /// Refuses every write from now on and reports why, once.
    public func fence(_ reason: String) {
        writeDeadline.store(0, ordering: .releasing)
        guard !fenced.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.critical("role: fenced", metadata: ["reason": "\(reason)"])
        onFence?(reason)
    }

    /// A clean handover: stops renewing, marks the lease released and drops the lock, so a standby takes
    /// over at its next poll. Call only after the last write (the log is closed).
    public func release() {
        condition.lock()
        stopping = true
        condition.unlock()
        condition.signal()
        if let thread { pthread_join(thread, nil) }
        thread = nil
        guard !isFenced else { return }
        writeDeadline.store(0, ordering: .releasing)
        var released = current
        released.state = .released
        released.sequence += 1
        released.renewedMillis = WallClock.milliseconds()
        do {
            if try ownsLease() { try LeaseFile.write(released, to: leasePath) }
        } catch {
            logger.warning("could not mark the lease released; the standby will wait for it to expire", metadata: ["error": "\(error)"])
        }
        lock.unlockActive()
        logger.info("role: released", metadata: ["data_dir_lock": "\(lock.path)"])
    }

    private func run() {
        let interval = UInt64(options.leaseMillis) * 1_000_000
        var next = WallClock.monotonicNanoseconds() + interval
        while true {
            condition.lock()
            while !stopping && WallClock.monotonicNanoseconds() < next {
                condition.wait(untilMonotonic: next)
            }
            let stop = stopping
            condition.unlock()
            if stop || isFenced { return }
            let late = (WallClock.monotonicNanoseconds() - next) / 1_000_000
            if late > UInt64(options.leaseMillis) {
                // The thread was not scheduled in time: the first sign of the stall that lapses a lease.
                logger.warning("lease renewal ran late", metadata: ["late_ms": "\(late)", "window_ms": "\(options.writeWindowMillis)"])
            }
            renew()
            next += interval
            let now = WallClock.monotonicNanoseconds()
            // After a stall, renew at once rather than several times in a row.
            if next < now { next = now }
        }
    }

    func renew() {
        let start = WallClock.monotonicNanoseconds()
        // A lapse is final: a standby may have taken over meanwhile, so a late renewal must not reopen writes.
        guard permitsWrite() else { return fence("the lease lapsed: no renewal succeeded for \(options.writeWindowMillis) ms") }
        guard lock.isStillAtPath() else { return fence("the lock file \(lock.path) was removed or replaced") }
        do {
            guard try ownsLease() else { return }
            var next = current
            next.sequence += 1
            next.renewedMillis = WallClock.milliseconds()
            try LeaseFile.write(next, to: leasePath)
            current = next
            guard !isFenced else { return }
            writeDeadline.store(start + UInt64(options.writeWindowMillis) * 1_000_000, ordering: .releasing)
            let took = (WallClock.monotonicNanoseconds() - start) / 1_000_000
            if took > UInt64(options.leaseMillis) {
                logger.warning("lease renewal was slow", metadata: ["ms": "\(took)", "lease_ms": "\(options.leaseMillis)"])
            }
        } catch {
            logger.error("lease renewal failed", metadata: ["error": "\(error)"])
        }
        if !permitsWrite() { fence("the lease lapsed: no renewal succeeded for \(options.writeWindowMillis) ms") }
    }

    /// Whether the lease file still holds this process's last record; fences (and returns false) if not.
    private func ownsLease() throws(HAError) -> Bool {
        switch try LeaseFile.read(leasePath) {
        case .record(let r) where r.owner == current.owner && r.sequence == current.sequence:
            return true
        case .record(let r):
            fence("the lease is now held by \(r.holder.label) (epoch \(r.epoch))")
        case .missing:
            fence("the lease file \(leasePath) was removed")
        case .unreadable:
            fence("the lease file \(leasePath) was overwritten")
        }
        return false
    }
}
