/// Where durable broker state goes. Appends are cheap and callable from any event loop; implementations
/// batch them (the segment log commits many records per fsync) and keep them in order.
public protocol BrokerStorage: Sendable {
    func load() throws -> StoredState
    /// `onCommit` runs once these records are durable under the store's policy, on any thread.
    /// The records of one call become durable together or not at all, and records appended later
    /// never commit before earlier ones. An empty call is a barrier: it commits after everything before it.
    func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?)
}

extension BrokerStorage {
    public func append(_ record: StorageRecord) {
        append([record], onCommit: nil)
    }
}
