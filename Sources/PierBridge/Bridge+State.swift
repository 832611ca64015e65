import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierAMQP
import PierCore
import PierPersistence
import PierStore

/// What the bridge shows: its state for the admin API, pause and resume, and the `$SYS` topics.
extension Bridge {
    public struct State: Sendable {
        public var connectedAddress: String?
        public var backlogMessages: Int
        public var backlogBytes: Int
        public var forwarded: Int
        public var dropped: Int
        public var deadLettered: Int
        public var paused: Bool
        /// Seconds since the oldest message still to forward was written; 0 without a backlog.
        public var oldestAgeSeconds: Int64 = 0
    }

    public var state: State {
        (try? stateFuture().wait())
            ?? State(connectedAddress: nil, backlogMessages: 0, backlogBytes: 0, forwarded: 0, dropped: 0, deadLettered: 0, paused: false)
    }

    /// `state` for a caller on an event loop, which must not block waiting for the bridge's own loop.
    public func stateFuture() -> EventLoopFuture<State> {
        loop.submit { [self] in
            let c = tap.counters
            return State(connectedAddress: connectedAddress, backlogMessages: c.backlogMessages, backlogBytes: c.backlogBytes,
                         forwarded: forwarded, dropped: c.dropped, deadLettered: deadLettered, paused: paused,
                         oldestAgeSeconds: oldestBufferedAgeSeconds(backlog: c.backlogMessages))
        }
    }

    /// Stops or restarts forwarding; the uplink stays connected and the backlog grows in the log meanwhile.
    public func setPaused(_ pause: Bool) -> EventLoopFuture<State> {
        loop.submit { [self] in
            guard paused != pause else { return }
            paused = pause
            logger.info(pause ? "bridge paused" : "bridge resumed", metadata: ["bridge": "\(configuration.name)"])
            if !pause { pump() }
        }.flatMap { [self] in stateFuture() }
    }

    /// Seconds since the oldest record the cursor has not passed was written: how stale the backlog is.
    private func oldestBufferedAgeSeconds(backlog: Int) -> Int64 {
        guard backlog > 0, let reader = try? cursor.reader(), let oldest = try? reader.next() else { return 0 }
        return max(0, (Clocks.system.wall() - oldest.batchTimestamp) / 1000)
    }

    func publishState() {
        let c = tap.counters
        if c.dropped > droppedLogged {
            logger.warning("bridge buffer full: messages dropped", metadata: [
                "bridge": "\(configuration.name)", "policy": "\(configuration.buffer.overflow.rawValue)",
                "dropped": "\(c.dropped - droppedLogged)", "totalDropped": "\(c.dropped)"])
            droppedLogged = c.dropped
        }
        let prefix = "$SYS/broker/bridge/\(configuration.name)/"
        let values: [(String, String)] = [
            ("connected", connectedAddress ?? "none"),
            ("backlog/messages", "\(c.backlogMessages)"),
            ("backlog/bytes", "\(c.backlogBytes)"),
            ("backlog/oldest-age", "\(oldestBufferedAgeSeconds(backlog: c.backlogMessages)) seconds"),
            ("forwarded", "\(forwarded)"),
            ("dropped", "\(c.dropped)"),
            ("dead-letters", "\(deadLettered)"),
        ]
        for (topic, value) in values {
            broker.publishSystem(Message(destination: .topic(prefix + topic), payload: ByteBuffer(string: value), retain: true))
        }
    }
}
