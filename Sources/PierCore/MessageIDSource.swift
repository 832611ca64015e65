import Synchronization

/// Hands out message ids in increasing order to every part of the core that stores messages, so
/// ids stay unique across topics and queues and queue order can follow them.
public final class MessageIDSource: Sendable {
    private let next = Atomic<UInt64>(1)

    public init() {}

    public func take() -> UInt64 { next.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// After a restart: continue above every id the store has seen.
    func resume(after last: UInt64) { next.store(last + 1, ordering: .relaxed) }
}
