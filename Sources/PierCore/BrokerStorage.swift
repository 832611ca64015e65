/// Where durable broker state goes. Appends must be cheap and callable from any event loop;
/// implementations batch them (the segment log commits many records per fsync).
public protocol BrokerStorage: Sendable {
    func load() throws -> StoredState
    func append(_ record: StorageRecord)
}
