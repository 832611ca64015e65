import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import PierBridge
import PierCore
import PierMetrics
import PierStore

/// The gauges and mirrored counters of state that lives elsewhere, set by collectors just before each
/// read of the registry: queue depths, sessions and retained messages (core locks), the store's segments,
/// and each bridge's backlog (its event loop). Series of queues and bridges that went away are removed.
final class BrokerMetrics: Sendable {
    let registry: MetricsRegistry
    private var factory: any MetricsFactory { registry.factory }
    private let queueSeries = NIOLockedValueBox([String: QueueSeries]())
    private let bridgeSeries = NIOLockedValueBox([String: BridgeSeries]())

    struct QueueSeries: Sendable {
        var depth: Meter, inFlight: Meter, consumers: Meter
    }

    struct BridgeSeries: Sendable {
        var connected: Meter, backlogMessages: Meter, backlogBytes: Meter, oldestAge: Meter, paused: Meter
        var forwarded: MirroredCounter, dropped: MirroredCounter, deadLettered: MirroredCounter
    }

    init(registry: MetricsRegistry) {
        self.registry = registry
    }

    /// Registers the collectors; `bridges` is read at each collect (bridges start after the registry).
    func install(broker: Broker, log: SegmentLog?, haRole: String, version: String, startedAtMillis: Int64,
                 bridges: @escaping @Sendable () -> [Bridge]) {
        let f = factory
        Meter(label: "pier_build_info", dimensions: [("version", version)], factory: f).set(1)
        Meter(label: "pier_ha_role", dimensions: [("role", haRole)], factory: f).set(1)
        Meter(label: "pier_start_time_seconds", factory: f).set(Double(startedAtMillis) / 1000)
        let sessions = Meter(label: "pier_sessions", factory: f)
        let subscriptions = Meter(label: "pier_subscriptions", factory: f)
        let retained = Meter(label: "pier_retained_messages", factory: f)
        let queues = Meter(label: "pier_queues", factory: f)
        registry.addCollector { [self] in
            sessions.set(broker.sessionCount)
            subscriptions.set(broker.subscriptionCount)
            retained.set(broker.retainedCount)
            let summaries = broker.queues.summaries()
            queues.set(summaries.count)
            collectQueues(summaries)
        }
        if let log {
            let segments = Meter(label: "pier_store_segments", factory: f)
            let bytes = Meter(label: "pier_store_size_bytes", factory: f)
            registry.addCollector {
                let infos = log.segmentInfos()
                segments.set(infos.count)
                bytes.set(infos.reduce(0) { $0 + $1.sizeBytes })
            }
        }
        registry.addCollector(onLoop: { [self] loop in
            let all = bridges()
            let states = all.map { b in b.stateFuture().map { (b.configuration.name, $0) } }
            return EventLoopFuture.whenAllSucceed(states, on: loop).map { [self] in collectBridges($0) }
        })
    }

    /// Set once, after the log is recovered.
    func recovered(inSeconds seconds: Double) {
        Meter(label: "pier_store_recovery_seconds", factory: factory).set(seconds)
    }

    private func collectQueues(_ summaries: [QueueManager.Summary]) {
        let f = factory
        queueSeries.withLockedValue { series in
            var gone = Set(series.keys)
            for q in summaries {
                gone.remove(q.name)
                let s = series[q.name] ?? {
                    let d = [("queue", q.name)]
                    return QueueSeries(depth: Meter(label: "pier_queue_depth", dimensions: d, factory: f),
                                       inFlight: Meter(label: "pier_queue_in_flight", dimensions: d, factory: f),
                                       consumers: Meter(label: "pier_queue_consumers", dimensions: d, factory: f))
                }()
                s.depth.set(q.depth)
                s.inFlight.set(q.inFlight)
                s.consumers.set(q.consumers)
                series[q.name] = s
            }
            for name in gone {
                guard let s = series.removeValue(forKey: name) else { continue }
                for m in [s.depth, s.inFlight, s.consumers] { m.destroy() }
            }
        }
    }

    private func collectBridges(_ states: [(String, Bridge.State)]) {
        let f = factory
        bridgeSeries.withLockedValue { series in
            var gone = Set(series.keys)
            for (name, state) in states {
                gone.remove(name)
                let s = series[name] ?? {
                    let d = [("bridge", name)]
                    return BridgeSeries(
                        connected: Meter(label: "pier_bridge_connected", dimensions: d, factory: f),
                        backlogMessages: Meter(label: "pier_bridge_backlog_messages", dimensions: d, factory: f),
                        backlogBytes: Meter(label: "pier_bridge_backlog_bytes", dimensions: d, factory: f),
                        oldestAge: Meter(label: "pier_bridge_backlog_oldest_age_seconds", dimensions: d, factory: f),
                        paused: Meter(label: "pier_bridge_paused", dimensions: d, factory: f),
                        forwarded: MirroredCounter(label: "pier_bridge_forwarded_total", dimensions: d, factory: f),
                        dropped: MirroredCounter(label: "pier_bridge_dropped_total", dimensions: d, factory: f),
                        deadLettered: MirroredCounter(label: "pier_bridge_dead_lettered_total", dimensions: d, factory: f))
                }()
                s.connected.set(state.connectedAddress == nil ? 0 : 1)
                s.backlogMessages.set(state.backlogMessages)
                s.backlogBytes.set(state.backlogBytes)
                s.oldestAge.set(state.oldestAgeSeconds)
                s.paused.set(state.paused ? 1 : 0)
                s.forwarded.sync(to: state.forwarded)
                s.dropped.sync(to: state.dropped)
                s.deadLettered.sync(to: state.deadLettered)
                series[name] = s
            }
            for name in gone {
                guard let s = series.removeValue(forKey: name) else { continue }
                for m in [s.connected, s.backlogMessages, s.backlogBytes, s.oldestAge, s.paused] { m.destroy() }
            }
        }
    }
}
