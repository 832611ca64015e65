import CoreMetrics
import NIOCore
import NIOEmbedded
import PierMetrics
import XCTest

final class MetricsRegistryTests: XCTestCase {
    func testCountersMadeByTheFactoryAreReadBackFromTheExposition() throws {
        let registry = MetricsRegistry()
        let sent = Counter(label: "pier_sent_total", dimensions: [("listener", "mqtt")], factory: registry.factory)
        sent.increment(by: 5)
        let loop = EmbeddedEventLoop()
        let m = try registry.snapshot(on: loop).wait()
        XCTAssertEqual(m.value("pier_sent_total", ["listener": "mqtt"]), 5)
        let text = String(decoding: try registry.exposition(on: loop).wait(), as: UTF8.self)
        XCTAssertTrue(text.contains("# TYPE pier_sent_total counter"), text)
    }

    func testCollectorsRunBeforeEveryRead() throws {
        let registry = MetricsRegistry()
        let depth = Meter(label: "pier_depth", factory: registry.factory)
        let source = ManagedCounter()
        registry.addCollector { depth.set(source.next()) }
        let loopGauge = Meter(label: "pier_loop_owned", factory: registry.factory)
        registry.addCollector(onLoop: { loop in
            // A bridge's state is read by a task on its loop; the read completes the collect.
            let promise = loop.makePromise(of: Void.self)
            loop.execute {
                loopGauge.set(42)
                promise.succeed()
            }
            return promise.futureResult
        })
        let loop = EmbeddedEventLoop()
        func read() throws -> MetricsSnapshot {
            let pending = registry.snapshot(on: loop)
            loop.run()
            return try pending.wait()
        }
        XCTAssertEqual(try read().value("pier_depth"), 1)
        XCTAssertEqual(try read().value("pier_depth"), 2)
        XCTAssertEqual(try read().value("pier_loop_owned"), 42)
    }

    func testMirroredCounterAddsGrowthAndNeverGoesDown() throws {
        let registry = MetricsRegistry()
        let mirrored = MirroredCounter(label: "pier_forwarded_total", factory: registry.factory)
        let loop = EmbeddedEventLoop()
        func value() throws -> Double? { try registry.snapshot(on: loop).wait().value("pier_forwarded_total") }
        mirrored.sync(to: 10)
        XCTAssertEqual(try value(), 10)
        mirrored.sync(to: 15)
        XCTAssertEqual(try value(), 15)
        mirrored.sync(to: 15)
        XCTAssertEqual(try value(), 15)
        // The source restarted from zero (a bridge re-created): its new count is added on top.
        mirrored.sync(to: 4)
        XCTAssertEqual(try value(), 19)
    }
}

private final class ManagedCounter: @unchecked Sendable {
    private var n = 0
    func next() -> Int {
        n += 1
        return n
    }
}
