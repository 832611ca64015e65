import NIOConcurrencyHelpers
import NIOCore

/// Something with deadlines (keepalive, connect timeout) that a sweep checks.
public protocol SweptConnection: AnyObject {
    func sweep(now: Int64)
}

/// One timer per event loop checks every connection on it, instead of a scheduled task per connection:
/// idle devices then cost no timer state of their own.
public final class ConnectionSweeper {
    private let eventLoop: any EventLoop
    /// Strong references: connections unregister when they close, and a weak reference would give every
    /// connection object a side table of its own.
    private var connections: [ObjectIdentifier: any SweptConnection] = [:]
    private var task: RepeatedTask?
    private let interval: TimeAmount

    private static let registry = NIOLockedValueBox([ObjectIdentifier: NIOLoopBound<ConnectionSweeper>]())

    init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.interval = interval
    }

    /// The sweeper of the current event loop; call on that loop.
    public static func current(on eventLoop: any EventLoop, interval: TimeAmount = .milliseconds(250)) -> ConnectionSweeper {
        let key = ObjectIdentifier(eventLoop)
        return registry.withLockedValue { map in
            if let existing = map[key] { return existing.value }
            let sweeper = ConnectionSweeper(eventLoop: eventLoop, interval: interval)
            map[key] = NIOLoopBound(sweeper, eventLoop: eventLoop)
            return sweeper
        }
    }

    public func register(_ connection: any SweptConnection) {
        connections[ObjectIdentifier(connection)] = connection
        if task == nil {
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                bound.value.runSweep()
            }
        }
    }

    public func unregister(_ connection: any SweptConnection) {
        connections[ObjectIdentifier(connection)] = nil
        if connections.isEmpty {
            task?.cancel()
            task = nil
        }
    }

    private func runSweep() {
        let now = BrokerClock.nowMillis()
        for connection in connections.values {
            connection.sweep(now: now)
        }
    }
}
