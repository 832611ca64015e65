import NIOCore
import PierAdminModel
import PierBridge
import PierCore
import PierMetrics

/// Carries out one admin route against the running broker. Most answer at once from locked core state;
/// connections and bridges are read on the event loops that own them, so those answer in a future.
public struct AdminAPI: Sendable {
    public let context: AdminContext

    public init(context: AdminContext) {
        self.context = context
    }

    public func respond(to route: AdminRoute, on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        switch route {
        case .metrics: return context.metrics.exposition(on: loop).map { .metrics($0) }
        case .broker: return context.metrics.snapshot(on: loop).map { broker($0) }
        case .bridges: return bridges(on: loop)
        case .connections:
            let toWall = Self.wallOffset()
            return context.connections.entries(on: loop).map { .json($0.map { AdminDocument.Connection($0, wallOffset: toWall) }) }
        case .closeConnection(let id):
            return context.connections.close(id: id, on: loop).map { $0 ? .noContent : .failure(.notFound, "no connection \(id)") }
        case .pauseBridge(let name): return setPaused(true, bridge: name, on: loop)
        case .resumeBridge(let name): return setPaused(false, bridge: name, on: loop)
        default: break
        }
        return loop.makeSucceededFuture(respond(to: route))
    }

    func respond(to route: AdminRoute) -> AdminResponse {
        let broker = context.broker
        let queues = broker.queues
        let toWall = Self.wallOffset()
        switch route {
        case .listeners:
            return .json(context.listeners().map {
                AdminDocument.Listener(name: $0.name, protocol: $0.protocolName, transport: $0.transport, bind: $0.bind, port: $0.port)
            })
        case .sessions:
            return .json(broker.sessionSummaries().map(AdminDocument.Session.init))
        case .queues:
            return .json(queues.summaries().map(AdminDocument.Queue.init))
        case .queue(let name):
            guard let q = queues.summaries().first(where: { $0.name == name }) else { return .failure(.notFound, "no queue \(name)") }
            return .json(AdminDocument.Queue(q))
        case .browseQueue(let name, let limit):
            guard queues.exists(name) else { return .failure(.notFound, "no queue \(name)") }
            return .json(queues.browse(queue: name).prefix(limit).map { AdminDocument.Message($0, wallOffset: toWall) })
        case .purgeQueue(let name):
            guard queues.exists(name) else { return .failure(.notFound, "no queue \(name)") }
            return .json(AdminDocument.Purged(purged: queues.purge(queue: name)))
        case .moveMessages(let from, let to, let limit):
            guard queues.exists(from) else { return .failure(.notFound, "no queue \(from)") }
            let target: QueueManager.MoveTarget = to == "original" ? .original : .queue(to)
            return .json(AdminDocument.Moved(moved: queues.move(from: from, to: target, limit: limit)))
        case .topics:
            return .json(broker.subscriptionFilterCounts().map { AdminDocument.Topic(filter: $0.filter, subscribers: $0.sessions) })
        case .retained:
            return .json(broker.allRetainedMessages().map { AdminDocument.Retained($0, wallOffset: toWall) })
        case .clearRetained(let topic):
            return broker.clearRetained(topic: topic) ? .noContent : .failure(.notFound, "no retained message on \(topic)")
        case .metrics, .broker, .connections, .closeConnection, .bridges, .pauseBridge, .resumeBridge:
            return .failure(.internalServerError, "answered asynchronously, on the loops that hold the state")
        case .events, .tail:
            return .failure(.internalServerError, "answered with a stream by the HTTP handler")
        }
    }

    /// Counters come from the metrics registry, the same numbers `/metrics` and `$SYS` show.
    private func broker(_ m: MetricsSnapshot) -> AdminResponse {
        let broker = context.broker
        let now = BrokerClock.nowMillis()
        return .json(AdminDocument.Broker(
            version: context.version, uptimeSeconds: max(0, (now - context.startedAtMillis) / 1000),
            startedAt: context.startedAtMillis + Self.wallOffset(), haRole: context.haRole, dataDir: context.dataDir,
            connections: context.connections.count, sessions: broker.sessionCount,
            subscriptions: broker.subscriptionCount, retained: broker.retainedCount, queues: broker.queues.summaries().count,
            messagesReceived: m.count("pier_messages_received_total"),
            messagesSent: m.count("pier_listener_messages_sent_total"),
            queueEnqueued: m.count("pier_queue_enqueued_total"), queueAcknowledged: m.count("pier_queue_dequeued_total"),
            queueDeadLettered: m.count("pier_queue_dead_lettered_total")))
    }

    /// The core keeps time on a monotonic clock (`BrokerClock.nowMillis`); the API promises epoch
    /// milliseconds, so its times are moved by the clocks' present difference.
    static func wallOffset() -> Int64 {
        BrokerClock.wallMillis() - BrokerClock.nowMillis()
    }

    private func bridges(on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        let bridges = context.bridges()
        let states = bridges.map { b in b.stateFuture().map { AdminDocument.Bridge(name: b.configuration.name, $0) } }
        return EventLoopFuture.whenAllSucceed(states, on: loop).map { AdminResponse.json($0) }
    }

    private func setPaused(_ paused: Bool, bridge name: String, on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        guard let bridge = context.bridges().first(where: { $0.configuration.name == name }) else {
            return loop.makeSucceededFuture(.failure(.notFound, "no bridge \(name)"))
        }
        return bridge.setPaused(paused).hop(to: loop).map { .json(AdminDocument.Bridge(name: name, $0)) }
    }
}
