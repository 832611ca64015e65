import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// The broker's one store of numbers. Hot-path counters are swift-metrics handles made by `factory`
/// (lock-free atomics inside swift-prometheus); numbers that live in someone else's state (queue depths,
/// the store's size, a bridge's backlog) are copied in by collectors just before each read. `/metrics`
/// and `$SYS` both read through `exposition(on:)`, so the two cannot disagree.
public final class MetricsRegistry: Sendable {
    public typealias Collector = @Sendable () -> Void
    /// For state owned by an event loop: the future completes once the gauges are set.
    public typealias LoopCollector = @Sendable (any EventLoop) -> EventLoopFuture<Void>

    public let prometheus: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    private let collectors = NIOLockedValueBox<([Collector], [LoopCollector])>(([], []))

    /// Buckets by metric name, for histograms whose range the factory's defaults do not fit (fsync
    /// latency is sub-millisecond on flash, below the default 5 ms floor).
    public init(durationBuckets: [String: [Duration]] = [:], valueBuckets: [String: [Double]] = [:]) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        factory.valueHistogramBuckets = valueBuckets
        self.prometheus = registry
        self.factory = factory
    }

    public func addCollector(_ collect: @escaping Collector) {
        collectors.withLockedValue { $0.0.append(collect) }
    }

    public func addCollector(onLoop collect: @escaping LoopCollector) {
        collectors.withLockedValue { $0.1.append(collect) }
    }

    /// Runs every collector, then renders the Prometheus text format (version 0.0.4).
    public func exposition(on loop: any EventLoop) -> EventLoopFuture<[UInt8]> {
        let (plain, looped) = collectors.withLockedValue { $0 }
        return EventLoopFuture.andAllComplete(looped.map { $0(loop) }, on: loop).map { [prometheus] in
            for collect in plain { collect() }
            return prometheus.emitToBuffer()
        }
    }

    /// What `exposition(on:)` rendered, parsed back into samples (for `$SYS` and the admin API).
    public func snapshot(on loop: any EventLoop) -> EventLoopFuture<MetricsSnapshot> {
        exposition(on: loop).map { MetricsSnapshot(exposition: $0) }
    }
}
