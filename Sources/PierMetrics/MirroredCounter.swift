import CoreMetrics
import NIOConcurrencyHelpers

/// A Prometheus counter for a count kept elsewhere (a bridge's forwarded total lives on its event loop):
/// each collect adds what the source grew by since the last one. A source that restarted from zero
/// (a bridge re-created) is added from zero again, so the exported counter never goes down.
public final class MirroredCounter: Sendable {
    private let counter: CoreMetrics.Counter
    private let last = NIOLockedValueBox(0)

    public init(label: String, dimensions: [(String, String)] = [], factory: any MetricsFactory) {
        counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    public func sync(to value: Int) {
        let delta = last.withLockedValue { last -> Int in
            defer { last = value }
            return value >= last ? value - last : value
        }
        if delta > 0 { counter.increment(by: delta) }
    }
}
