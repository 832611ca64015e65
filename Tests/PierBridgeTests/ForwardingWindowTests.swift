import XCTest

@testable import PierBridge

final class ForwardingWindowTests: XCTestCase {
    func testCursorAdvancesOnlyOverTheDonePrefix() {
        var w = ForwardingWindow(size: 10)
        for o: UInt64 in [5, 6, 7, 8] { w.track(o) }
        XCTAssertNil(w.finish(7), "6 and 5 are still in flight")
        XCTAssertNil(w.finish(6))
        XCTAssertEqual(w.finish(5), 7, "5, 6, 7 are done: the cursor moves to 7")
        XCTAssertEqual(w.finish(8), 8)
        XCTAssertEqual(w.outstandingCount, 0)
    }

    func testFinishingAnUnknownOrRepeatedOffsetChangesNothing() {
        var w = ForwardingWindow(size: 10)
        w.track(1)
        w.track(2)
        XCTAssertNil(w.finish(99))
        XCTAssertEqual(w.finish(1), 1)
        XCTAssertNil(w.finish(1), "a second settlement of the same offset is ignored")
        XCTAssertEqual(w.finish(2), 2)
    }

    func testRoomAndBatchedRefill() {
        var w = ForwardingWindow(size: 8)
        for _ in 0..<8 { w.transferSent() }
        XCTAssertFalse(w.hasRoom)
        XCTAssertFalse(w.wantsRefill)
        w.transferSettled()
        XCTAssertTrue(w.hasRoom)
        XCTAssertFalse(w.wantsRefill, "one free slot does not trigger a refill")
        w.transferSettled()
        XCTAssertTrue(w.wantsRefill, "a quarter of the window free does")
    }

    func testResetForgetsEverythingInFlightAndRestartKeepsUnsettled() {
        var w = ForwardingWindow(size: 4)
        w.track(1)
        w.transferSent()
        w.restart()
        XCTAssertEqual(w.outstandingCount, 0)
        XCTAssertEqual(w.unsettled, 1)
        XCTAssertNil(w.finish(1), "offsets read before a restart are read again, not finished")
        w.reset()
        XCTAssertEqual(w.unsettled, 0)
        w.track(10)
        XCTAssertEqual(w.finish(10), 10, "positions count afresh after a reset")
    }

    func testManyInterleavedSettlementsNeverSkipAnOffset() {
        var w = ForwardingWindow(size: 1000)
        let offsets = Array(UInt64(0)..<500)
        for o in offsets { w.track(o) }
        var cursor: UInt64?
        var rng = SystemRandomNumberGenerator()
        var done = Set<UInt64>()
        for o in offsets.shuffled(using: &rng) {
            done.insert(o)
            if let c = w.finish(o) {
                cursor = c
                XCTAssertTrue((0...c).allSatisfy(done.contains), "cursor \(c) passed an unfinished offset")
            }
        }
        XCTAssertEqual(cursor, 499)
    }

    func testWindowOfZeroStillSendsOne() {
        XCTAssertTrue(ForwardingWindow(size: 0).hasRoom)
    }
}
