import NIOConcurrencyHelpers
import NIOCore
import PierCore
import Synchronization

/// Every open client connection of the broker, whatever its protocol, for the admin API's "list
/// connections" and "close one", and for the keepalive sweep. Each event loop has its own shard,
/// touched only on that loop, and the identity shown lives in the connection's `ConnectionCore`: so a
/// connection costs one dictionary slot and no lock of its own, and nothing here runs per message.
/// Listing and closing hop onto every loop.
///
/// One timer per shard sweeps its connections (keepalive, connect timeout) while it has any: idle
/// devices cost no timer state of their own, and the slot that lists a connection is the one that
/// sweeps it (a sweeper with a map of its own cost 40 bytes more per connection).
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

    /// One loop's connections; only ever used on that loop.
    private final class Shard {
        var cores: [UInt64: ConnectionCore] = [:]
        var sweep: RepeatedTask?

        func runSweep() {
            let now = BrokerClock.nowMillis()
            for core in cores.values {
                core.sweep(now: now)
            }
        }
    }

    private struct LoopShard: Sendable {
        let loop: any EventLoop
        let shard: NIOLoopBound<Shard>
    }

    private let shards = NIOLockedValueBox([ObjectIdentifier: LoopShard]())
    private let nextID = Atomic<UInt64>(1)
    private let open = Atomic<Int>(0)
    private let sweepInterval: TimeAmount

    public init(sweepInterval: TimeAmount = .milliseconds(250)) {
        self.sweepInterval = sweepInterval
    }

    /// On `loop`, the connection's own. Sweeping starts with the loop's first connection.
    func register(_ core: ConnectionCore, on loop: any EventLoop) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let shard = shard(of: loop)
        shard.cores[id] = core
        open.add(1, ordering: .relaxed)
        if shard.sweep == nil {
            let bound = NIOLoopBound(shard, eventLoop: loop)
            shard.sweep = loop.scheduleRepeatedTask(initialDelay: sweepInterval, delay: sweepInterval) { _ in
                bound.value.runSweep()
            }
        }
        return id
    }

    /// On `loop`, the connection's own. Sweeping stops with the loop's last connection.
    func unregister(_ id: UInt64, on loop: any EventLoop) {
        let shard = shard(of: loop)
        if shard.cores.removeValue(forKey: id) != nil {
            open.subtract(1, ordering: .relaxed)
        }
        if shard.cores.isEmpty, let sweep = shard.sweep {
            sweep.cancel()
            shard.sweep = nil
        }
    }

    private func shard(of loop: any EventLoop) -> Shard {
        shards.withLockedValue { map in
            if let s = map[ObjectIdentifier(loop)] { return s.shard.value }
            let s = LoopShard(loop: loop, shard: NIOLoopBound(Shard(), eventLoop: loop))
            map[ObjectIdentifier(loop)] = s
            return s.shard.value
        }
    }

    public var count: Int { open.load(ordering: .relaxed) }

    /// Open connections, oldest first, read on each of their loops; the result completes on `loop`.
    public func entries(on loop: any EventLoop) -> EventLoopFuture<[Entry]> {
        let parts = shards.withLockedValue { Array($0.values) }.map { s in
            s.loop.submit { s.shard.value.cores.map { id, core in core.registryEntry(id: id) } }
        }
        return EventLoopFuture.whenAllSucceed(parts, on: loop).map { $0.flatMap { $0 }.sorted { $0.id < $1.id } }
    }

    /// Closes the connection on its own event loop as a lost network connection would (an MQTT will is
    /// published); false when no connection has that id.
    public func close(id: UInt64, on loop: any EventLoop) -> EventLoopFuture<Bool> {
        let parts = shards.withLockedValue { Array($0.values) }.map { s in
            s.loop.submit { () -> Bool in
                guard let core = s.shard.value.cores[id] else { return false }
                core.close()
                return true
            }
        }
        return EventLoopFuture.whenAllSucceed(parts, on: loop).map { $0.contains(true) }
    }
}
