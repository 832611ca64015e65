import XCTest

@testable import PierOpenWire

final class OpenWireCompositeCreditTests: XCTestCase {
    func testCreditGoesBackToTheQueuesOfTheOldestDispatches() {
        var c = OpenWireCompositeCredit()
        for q in [0, 1, 1, 0, 1] { c.dispatched(from: q) }
        XCTAssertEqual(c.returned(2), [0: 1, 1: 1])
        XCTAssertEqual(c.returned(2), [1: 1, 0: 1])
        XCTAssertEqual(c.uncredited, 1)
        XCTAssertEqual(c.returned(5), [1: 1], "never more than was dispatched")
        XCTAssertEqual(c.returned(1), [:])
        XCTAssertEqual(c.uncredited, 0)
    }

    func testTheTotalIsConservedOverALongRun() {
        var c = OpenWireCompositeCredit()
        var given = [0, 0, 0]
        var dispatched = [0, 0, 0]
        for i in 0..<5000 {
            let q = (i * 7) % 3
            c.dispatched(from: q)
            dispatched[q] += 1
            if i % 3 == 2 { for (k, v) in c.returned(3) { given[k] += v } }
        }
        for (k, v) in c.returned(Int.max) { given[k] += v }
        XCTAssertEqual(given, dispatched)
        XCTAssertEqual(c.uncredited, 0)
    }
}
