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
        /// Client id → the connection holding it.
        var clientIDs: [String: ObjectIdentifier] = [:]
        var activeDurables: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())
    /// Nil until the first send after start, when it is seeded from the messages the queues hold (after a
    /// takeover, what the previous active stored).
    private let audit = NIOLockedValueBox(OpenWireProducerAudit?.none)

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

    /// Claims a client id for `owner`. A failover reconnect takes the id over from a connection the
    /// broker has not yet seen close, as ActiveMQ does.
    func claimClientID(_ id: String, owner: ObjectIdentifier, takeOver: Bool = false) -> Bool {
        state.withLockedValue { s in
            if let holder = s.clientIDs[id], holder != owner, !takeOver { return false }
            s.clientIDs[id] = owner
            return true
        }
    }

    /// Releases a client id unless another connection has taken it over since.
    func releaseClientID(_ id: String, owner: ObjectIdentifier) {
        state.withLockedValue { s in
            if s.clientIDs[id] == owner { s.clientIDs[id] = nil }
        }
    }

    // MARK: - Producer audit

    /// True if the message was stored before (a replayed send); seeds the audit on first use with `stored`,
    /// read outside the lock (it takes the queues' locks).
    func isDuplicateSend(_ id: OpenWireMessageId, stored: () -> [OpenWireMessageId]) -> Bool {
        if audit.withLockedValue({ $0 == nil }) {
            var seeded = OpenWireProducerAudit()
            for m in stored() { seeded.record(m) }
            audit.withLockedValue { a in
                if a == nil { a = seeded }
            }
        }
        return audit.withLockedValue { $0?.isDuplicate(id) ?? false }
    }

    func sendStored(_ id: OpenWireMessageId) {
        audit.withLockedValue { a in
            if a == nil { a = OpenWireProducerAudit() }
            a?.record(id)
        }
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
