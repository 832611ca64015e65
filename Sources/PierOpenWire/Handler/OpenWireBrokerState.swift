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
    struct Sends {
        /// Nil until the first send after start, when it is seeded from the messages the queues hold (after a
        /// takeover, what the previous active stored).
        var audit: OpenWireProducerAudit?
        /// Audited sends being stored now → the resends waiting for their outcome.
        var inFlight: [String: [@Sendable (String?) -> Void]] = [:]
    }

    /// What `beginSend` found.
    enum SendAudit: Equatable {
        /// Not seen before: store it, then call `finishSend`.
        case fresh
        /// Stored before: acknowledge it only.
        case stored
        /// Being stored by an earlier copy (on a connection that may be gone): the waiter hears the outcome.
        case waiting
    }

    private let sends = NIOLockedValueBox(Sends())
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

    /// Checks a send against the producer audit and the sends being stored. The audit is seeded on first use
    /// from `stored`, read outside the lock (it takes the queues' locks); `waiter` is made only for `.waiting`.
    func beginSend(_ id: OpenWireMessageId, stored: () -> [OpenWireMessageId],
                   waiter: () -> @Sendable (String?) -> Void) -> SendAudit {
        guard let key = Self.sendKey(id) else { return .fresh }
        if sends.withLockedValue({ $0.audit == nil }) {
            var seeded = OpenWireProducerAudit()
            for m in stored() { seeded.record(m) }
            sends.withLockedValue { s in
                if s.audit == nil { s.audit = seeded }
            }
        }
        return sends.withLockedValue { s in
            if s.audit?.isDuplicate(id) == true { return .stored }
            if s.inFlight[key] != nil {
                s.inFlight[key]?.append(waiter())
                return .waiting
            }
            s.inFlight[key] = []
            return .fresh
        }
    }

    /// A `.fresh` send was stored (failure nil) or refused: recorded, and its waiting resends answered alike.
    func finishSend(_ id: OpenWireMessageId, failure: String?) {
        guard let key = Self.sendKey(id) else { return }
        let waiters = sends.withLockedValue { s -> [@Sendable (String?) -> Void] in
            if failure == nil {
                if s.audit == nil { s.audit = OpenWireProducerAudit() }
                s.audit?.record(id)
            }
            return s.inFlight.removeValue(forKey: key) ?? []
        }
        for w in waiters { w(failure) }
    }

    static func sendKey(_ id: OpenWireMessageId) -> String? {
        OpenWireProducerAudit.key(id).map { "\($0)#\(id.producerSequenceId)" }
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
