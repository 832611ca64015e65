import Synchronization

/// A mutex stored inside its owner. `NIOLock` allocates its pthread mutex separately, which is one
/// more heap object per session; with thousands of idle devices that is worth saving.
struct InlineLock: ~Copyable, @unchecked Sendable {
    private let mutex = Mutex(())

    init() {}

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in
            // Callers only move Sendable values or values they own out of the lock.
            nonisolated(unsafe) let result = try body()
            return result
        }
    }
}
