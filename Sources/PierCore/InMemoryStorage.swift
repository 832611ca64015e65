import NIOConcurrencyHelpers

/// Keeps durable state for the life of the process only: the default until a data directory log is configured,
/// and the reference behaviour a persistent store must match.
public final class InMemoryStorage: BrokerStorage {
    private let state = NIOLockedValueBox(State())

    private struct State {
        var retained: [String: Message] = [:]
        var sessions: [String: StoredSession] = [:]
    }

    public init() {}

    public func load() throws -> StoredState {
        state.withLockedValue { s in
            var out = StoredState()
            out.retained = s.retained.values.sorted { $0.topic < $1.topic }
            out.sessions = s.sessions.values.sorted { $0.clientID < $1.clientID }
            return out
        }
    }

    public func append(_ record: StorageRecord) {
        state.withLockedValue { s in
            switch record {
            case .retainedSet(let m): s.retained[m.topic] = m
            case .retainedCleared(let topic): s.retained[topic] = nil
            case .sessionSaved(let session): s.sessions[session.clientID] = session
            case .sessionDeleted(let id): s.sessions[id] = nil
            }
        }
    }
}
