import NIOConcurrencyHelpers

/// Keeps durable state for the life of the process only, committing at once. It is the reference
/// behaviour a persistent store must match, since both fold records through `DurableState`.
public final class InMemoryStorage: BrokerStorage {
    private let state = NIOLockedValueBox(DurableState())

    public init() {}

    public func load() throws -> StoredState {
        state.withLockedValue { $0.storedState }
    }

    public func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?) {
        state.withLockedValue { s in
            for r in records { s.apply(r) }
        }
        onCommit?()
    }
}
