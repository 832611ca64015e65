import NIOConcurrencyHelpers
import PierCore

/// What OpenWire connections share across the broker: temporary destinations by the names clients
/// gave them, the connections that subscribed to their advisories, the client ids in use and the
/// durable subscriptions with a live consumer. One per server, shared by every OpenWire listener.
public final class OpenWireBrokerState: Sendable {
    struct Temporary: Sendable {
        var destination: OpenWireDestination
        /// The core queue or topic name behind it.
        var coreName: String
        var owner: ObjectIdentifier
        var connectionId: OpenWireConnectionId?
    }

    struct State {
        var temporaries: [String: Temporary] = [:]
        /// Core name → client name, for writing deliveries.
        var byCoreName: [String: String] = [:]
        var advisorySubscribers: [ObjectIdentifier: OpenWireDeliveryConnection] = [:]
        var clientIDs: Set<String> = []
        var activeDurables: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    // MARK: - Temporary destinations

    /// Records a temporary destination and tells every advisory subscriber (its own connection too).
    func addTemporary(_ destination: OpenWireDestination, coreName: String, owner: ObjectIdentifier, connectionId: OpenWireConnectionId?) {
        guard let name = destination.physicalName else { return }
        let subscribers = state.withLockedValue { s -> [OpenWireDeliveryConnection] in
            s.temporaries[name] = Temporary(destination: destination, coreName: coreName, owner: owner, connectionId: connectionId)
            s.byCoreName[coreName] = name
            return Array(s.advisorySubscribers.values)
        }
        let info = OpenWireDestinationInfo(connectionId: connectionId, destination: destination, operationType: .add)
        for c in subscribers { c.advisory(info) }
    }

    /// Forgets a temporary destination (deleted, or its connection closed) and tells the subscribers.
    func removeTemporary(_ name: String) {
        let (gone, subscribers) = state.withLockedValue { s -> (Temporary?, [OpenWireDeliveryConnection]) in
            guard let t = s.temporaries.removeValue(forKey: name) else { return (nil, []) }
            s.byCoreName[t.coreName] = nil
            return (t, Array(s.advisorySubscribers.values))
        }
        guard let gone else { return }
        let info = OpenWireDestinationInfo(connectionId: gone.connectionId, destination: gone.destination, operationType: .remove)
        for c in subscribers { c.advisory(info) }
    }

    func temporary(_ name: String) -> Temporary? {
        state.withLockedValue { $0.temporaries[name] }
    }

    func temporaries(ownedBy owner: ObjectIdentifier) -> [String] {
        state.withLockedValue { s in s.temporaries.filter { $0.value.owner == owner }.map(\.key) }
    }

    /// The client's name for a core temporary destination; nil for an ordinary one.
    func clientName(forCore coreName: String) -> OpenWireDestination? {
        state.withLockedValue { s in s.byCoreName[coreName].flatMap { s.temporaries[$0]?.destination } }
    }

    // MARK: - Advisories

    /// Registers an advisory subscriber and returns the temporary destinations that exist now (to replay).
    func subscribeAdvisories(_ connection: OpenWireDeliveryConnection, owner: ObjectIdentifier) -> [OpenWireDestinationInfo] {
        state.withLockedValue { s in
            s.advisorySubscribers[owner] = connection
            return s.temporaries.values.map {
                OpenWireDestinationInfo(connectionId: $0.connectionId, destination: $0.destination, operationType: .add)
            }
        }
    }

    func unsubscribeAdvisories(owner: ObjectIdentifier) {
        _ = state.withLockedValue { $0.advisorySubscribers.removeValue(forKey: owner) }
    }

    // MARK: - Client ids and durable subscriptions

    func claimClientID(_ id: String) -> Bool {
        state.withLockedValue { $0.clientIDs.insert(id).inserted }
    }

    func releaseClientID(_ id: String) {
        _ = state.withLockedValue { $0.clientIDs.remove(id) }
    }

    func durableActivated(_ key: String) {
        state.withLockedValue { $0.activeDurables[key, default: 0] += 1 }
    }

    func durableDeactivated(_ key: String) {
        state.withLockedValue { s in
            let n = (s.activeDurables[key] ?? 1) - 1
            s.activeDurables[key] = n > 0 ? n : nil
        }
    }

    func isDurableActive(_ key: String) -> Bool {
        state.withLockedValue { $0.activeDurables[key] != nil }
    }
}
