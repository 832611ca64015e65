#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable. The group committer needs "wait until work or a
/// deadline" and to wake its thread only when it is actually asleep; NIO's `ConditionLock`
/// broadcasts on every unlock, which would cost a syscall per append.
public final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        #if os(Linux)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
        #else
        pthread_cond_init(cond, nil)
        #endif
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    public func signal() { pthread_cond_signal(cond) }
    public func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits (the mutex held) until signalled.
    public func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits (the mutex held) until signalled or the monotonic clock reaches `deadline` nanoseconds.
    public func wait(untilMonotonic deadline: UInt64) {
        #if os(Linux)
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(cond, mutex, &ts)
        #else
        let now = WallClock.monotonicNanoseconds()
        let delta = deadline > now ? deadline - now : 0
        var ts = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
        pthread_cond_timedwait_relative_np(cond, mutex, &ts)
        #endif
    }
}
