import PierStore

#if canImport(Glibc)
import Glibc
#endif

/// Wakes a standby the moment the active's lock is released, instead of at its next poll: a thread blocked in
/// `F_OFD_SETLKW` on its own descriptor that, once granted, lets go at once and rings the standby's bell.
///
/// It only ever holds the lock for the instant between the grant and its release, so it never decides
/// anything; the standby's loop still takes the lock itself and applies `TakeoverRule`. Where blocking
/// locks are slow (NFS polls the server for them), the regular poll is what moves the standby.
final class LockWaiter: @unchecked Sendable {
    private let bell = Condition()
    // Guarded by `bell`.
    private var rung = false
    private var waiting = false

    static let setOFDWait: Int32 = 38

    /// Starts a waiter on `path` unless one is already blocked.
    func arm(path: String) {
        bell.lock()
        defer { bell.unlock() }
        guard !waiting else { return }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return }
        waiting = true
        let context = Unmanaged.passRetained(Box(waiter: self, fd: fd)).toOpaque()
        var tid = pthread_t()
        if pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.waiter.block(on: box.fd)
            return nil
        }, context) == 0 {
            pthread_detach(tid)
        } else {
            Unmanaged<Box>.fromOpaque(context).release()
            close(fd)
            waiting = false
        }
    }

    /// Sleeps until `deadline` (monotonic nanoseconds) or until the lock was released, whichever is first.
    func sleep(untilMonotonic deadline: UInt64) {
        bell.lock()
        while !rung && WallClock.monotonicNanoseconds() < deadline {
            bell.wait(untilMonotonic: deadline)
        }
        rung = false
        bell.unlock()
    }

    private func block(on fd: Int32) {
        var lock = LockFile.request(Int16(F_WRLCK), on: .active)
        if fcntl(fd, Self.setOFDWait, &lock) == 0 {
            lock.l_type = Int16(F_UNLCK)
            _ = fcntl(fd, LockFile.setOFD, &lock)
        }
        close(fd)
        bell.lock()
        waiting = false
        rung = true
        bell.unlock()
        bell.signal()
    }

    private final class Box {
        let waiter: LockWaiter
        let fd: Int32
        init(waiter: LockWaiter, fd: Int32) {
            self.waiter = waiter
            self.fd = fd
        }
    }
}
