/// Where durable broker state goes. Appends are cheap and callable from any event loop; implementations
/// batch them (the segment log commits many records per fsync) and keep them in order.
public protocol BrokerStorage: Sendable {
    func load() throws -> StoredState
    /// `onCommit` runs once these records are durable under the store's policy, on any thread.
    /// The records of one call become durable together or not at all, and records appended later
    /// never commit before earlier ones. An empty call is a barrier: it commits after everything before it.
    func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?)
    /// Like `append` with no `onCommit`, for records whose loss in a crash only means a redelivery
    /// (acknowledgements, delivery counts): the store may hold them back until a commit someone waits
    /// for, instead of committing (and fsyncing) for them alone. Order with other appends is kept.
    func appendLazily(_ records: [StorageRecord])
}

extension BrokerStorage {
    public func append(_ record: StorageRecord) {
        append([record], onCommit: nil)
    }

    public func appendLazily(_ records: [StorageRecord]) {
        append(records, onCommit: nil)
    }
}
