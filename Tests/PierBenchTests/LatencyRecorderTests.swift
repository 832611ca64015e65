import PierBench
import XCTest

final class LatencyRecorderTests: XCTestCase {
    func testPercentilesOfUniformData() {
        var r = LatencyRecorder()
        // 1…10,000 µs, once each.
        for us in 1...10_000 { r.record(nanoseconds: UInt64(us) * 1000) }
        let s = r.summary
        XCTAssertEqual(s.count, 10_000)
        XCTAssertEqual(s.p50, 5000, accuracy: 5000 * 0.001 + 0.1)
        XCTAssertEqual(s.p99, 9900, accuracy: 9900 * 0.001 + 0.1)
        XCTAssertEqual(s.p999, 9990, accuracy: 9990 * 0.001 + 0.1)
        XCTAssertEqual(s.max, 10_000, accuracy: 10_000 * 0.001 + 0.1)
        XCTAssertEqual(s.mean, 5000.5, accuracy: 5)
    }

    func testOutlierShowsInTailOnly() {
        var r = LatencyRecorder()
        for _ in 0..<999 { r.record(nanoseconds: 100_000) }
        r.record(nanoseconds: 50_000_000)
        let s = r.summary
        XCTAssertEqual(s.p50, 100, accuracy: 0.2)
        XCTAssertEqual(s.p99, 100, accuracy: 0.2)
        XCTAssertEqual(s.max, 50_000, accuracy: 50)
    }

    func testMergeAddsCounts() {
        var a = LatencyRecorder()
        var b = LatencyRecorder()
        for _ in 0..<100 { a.record(nanoseconds: 1_000) }
        for _ in 0..<300 { b.record(nanoseconds: 9_000) }
        a.merge(b)
        XCTAssertEqual(a.count, 400)
        XCTAssertEqual(a.summary.p50, 9, accuracy: 0.1)
    }

    func testEmptyAndClampedValues() {
        XCTAssertEqual(LatencyRecorder().summary, LatencySummary())
        var r = LatencyRecorder()
        r.record(nanoseconds: 0)
        r.record(nanoseconds: .max)
        XCTAssertEqual(r.count, 2)
        XCTAssertGreaterThan(r.summary.max, 500_000_000)
    }
}
