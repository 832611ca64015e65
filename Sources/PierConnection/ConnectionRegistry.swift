import NIOConcurrencyHelpers
import NIOCore
import PierCore
import Synchronization

/// Every open client connection of the broker, whatever its protocol, for the admin API's "list
/// connections" and "close one". `ConnectionCore` writes to it when a connection opens, when it is
/// admitted and when it closes: never per message, so the lock stays off the hot path.
public final class ConnectionRegistry: Sendable {
    /// What the admin API shows of one connection.
    public struct Entry: Sendable, Equatable {
        public var id: UInt64
        /// `mqtt`, `stomp`, `openwire`, …
        public var protocolName: String
        public var listener: String
        public var remoteAddress: String?
        /// Known once the connection is admitted (MQTT CONNECT, STOMP CONNECT, OpenWire ConnectionInfo).
        public var clientID: String?
        public var username: String?
        /// Milliseconds since the epoch.
        public var connectedSince: Int64
    }

    private struct Slot: Sendable {
        var entry: Entry
        let core: NIOLoopBound<ConnectionCore>
        let eventLoop: any EventLoop
    }

    private let slots = NIOLockedValueBox([UInt64: Slot]())
    private let nextID = Atomic<UInt64>(1)

    public init() {}

    func register(_ core: ConnectionCore, eventLoop: any EventLoop, protocolName: String, listener: String,
                  remoteAddress: String?) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let entry = Entry(id: id, protocolName: protocolName, listener: listener, remoteAddress: remoteAddress,
                          connectedSince: BrokerClock.nowMillis())
        let slot = Slot(entry: entry, core: NIOLoopBound(core, eventLoop: eventLoop), eventLoop: eventLoop)
        slots.withLockedValue { $0[id] = slot }
        return id
    }

    func admitted(_ id: UInt64, clientID: String, username: String?) {
        slots.withLockedValue { s in
            s[id]?.entry.clientID = clientID
            s[id]?.entry.username = username
        }
    }

    func unregister(_ id: UInt64) {
        _ = slots.withLockedValue { $0.removeValue(forKey: id) }
    }

    public var count: Int { slots.withLockedValue { $0.count } }

    /// Open connections, oldest first.
    public var entries: [Entry] {
        slots.withLockedValue { $0.values.map(\.entry) }.sorted { $0.id < $1.id }
    }

    public func entry(id: UInt64) -> Entry? { slots.withLockedValue { $0[id]?.entry } }

    /// Closes the connection on its own event loop as a lost network connection would (an MQTT will is
    /// published); false when no connection has that id.
    @discardableResult
    public func close(id: UInt64) -> Bool {
        guard let slot = slots.withLockedValue({ $0[id] }) else { return false }
        slot.eventLoop.execute { slot.core.value.close() }
        return true
    }
}
