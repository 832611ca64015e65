import NIOCore
import XCTest
@testable import PierCore

final class ConnectionSweeperTests: XCTestCase {
    private final class FakeSwept: SweptConnection {
        var sweeps: [Int64] = []
        func sweep(now: Int64) { sweeps.append(now) }
    }

    func testRegisteredConnectionsAreSweptEveryInterval() {
        let loop = ManualEventLoop()
        let sweeper = ConnectionSweeper(eventLoop: loop, interval: .milliseconds(250))
        let a = FakeSwept(), b = FakeSwept()
        sweeper.register(a)
        sweeper.register(b)
        loop.advanceTime(by: .milliseconds(249))
        XCTAssertEqual(a.sweeps.count, 0)
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(a.sweeps.count, 1)
        XCTAssertEqual(b.sweeps.count, 1)
        loop.advanceTime(by: .milliseconds(500))
        XCTAssertEqual(a.sweeps.count, 3)
        XCTAssertEqual(b.sweeps.count, 3)
        XCTAssertGreaterThan(a.sweeps[0], 0, "sweeps get the broker clock")
    }

    func testUnregisterStopsSweepingAndTheTimer() {
        let loop = ManualEventLoop()
        let sweeper = ConnectionSweeper(eventLoop: loop, interval: .milliseconds(100))
        let a = FakeSwept(), b = FakeSwept()
        sweeper.register(a)
        sweeper.register(b)
        loop.advanceTime(by: .milliseconds(100))
        sweeper.unregister(a)
        loop.advanceTime(by: .milliseconds(300))
        XCTAssertEqual(a.sweeps.count, 1)
        XCTAssertEqual(b.sweeps.count, 4)

        sweeper.unregister(b)
        loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(b.sweeps.count, 4)
        XCTAssertEqual(loop.pendingCount, 0, "no timer is left once the last connection goes")

        // Registering again restarts the timer.
        sweeper.register(a)
        loop.advanceTime(by: .milliseconds(100))
        XCTAssertEqual(a.sweeps.count, 2)
    }

    func testUnregisteringReleasesTheConnection() {
        let loop = ManualEventLoop()
        let sweeper = ConnectionSweeper(eventLoop: loop, interval: .milliseconds(100))
        let kept = FakeSwept()
        sweeper.register(kept)
        weak var weakGone: FakeSwept?
        do {
            let gone = FakeSwept()
            weakGone = gone
            sweeper.register(gone)
            sweeper.unregister(gone)
        }
        XCTAssertNil(weakGone, "an unregistered connection is not kept alive")
        loop.advanceTime(by: .milliseconds(200))
        XCTAssertEqual(kept.sweeps.count, 2)
    }

    func testCurrentIsOnePerEventLoop() {
        let loop1 = ManualEventLoop(), loop2 = ManualEventLoop()
        let s1 = ConnectionSweeper.current(on: loop1)
        XCTAssertTrue(ConnectionSweeper.current(on: loop1) === s1)
        XCTAssertFalse(ConnectionSweeper.current(on: loop2) === s1)

        let a = FakeSwept()
        s1.register(a)
        loop1.advanceTime(by: .milliseconds(250))
        XCTAssertEqual(a.sweeps.count, 1, "the default interval is 250 ms")
        s1.unregister(a)
    }
}
