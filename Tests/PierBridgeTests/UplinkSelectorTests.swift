import XCTest
@testable import PierBridge

final class UplinkSelectorTests: XCTestCase {
    private func selector(_ n: Int = 2) -> UplinkSelector {
        UplinkSelector(addressCount: n, initialDelayMillis: 100, maxDelayMillis: 1_000, jitter: 0.5,
                       failbackAfterMillis: 3_000, probeIntervalMillis: 500, random: { 1.0 })
    }

    func testFailsOverInOrderAndBacksOffPerRound() {
        var s = selector(3)
        XCTAssertEqual(s.start(), .connect(index: 0, delayMillis: 0))
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 1, delayMillis: 0))
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 2, delayMillis: 0))
        // A whole round failed: wait 100 ms plus jitter (50%) before starting over at the first address.
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 0, delayMillis: 150))
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 1, delayMillis: 0))
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 2, delayMillis: 0))
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 0, delayMillis: 300))
        for _ in 0..<30 { _ = s.connectionFailed(now: 0) }
        if case .connect(_, let delay) = s.connectionFailed(now: 0) { XCTAssertLessThanOrEqual(delay, 1_500, "capped at max + jitter") }
    }

    func testLosingTheActiveMovesToTheStandbyAtOnce() {
        var s = selector()
        _ = s.start()
        XCTAssertEqual(s.connectSucceeded(now: 0), [], "no probing while on the primary")
        XCTAssertEqual(s.connectionFailed(now: 0), .connect(index: 1, delayMillis: 0))
        XCTAssertEqual(s.connectSucceeded(now: 10), [.probePrimary(delayMillis: 500)])
    }

    func testConnectionsThatDropAtOnceKeepBackingOff() {
        var s = selector()
        _ = s.start()
        // Connects fine, then the peer drops it straight away (a refused link): that is a failure like any other.
        _ = s.connectSucceeded(now: 0)
        XCTAssertEqual(s.connectionFailed(now: 50), .connect(index: 1, delayMillis: 0))
        _ = s.connectSucceeded(now: 60)
        XCTAssertEqual(s.connectionFailed(now: 100), .connect(index: 0, delayMillis: 150))
        _ = s.connectSucceeded(now: 300)
        XCTAssertEqual(s.connectionFailed(now: 350), .connect(index: 1, delayMillis: 0))
        _ = s.connectSucceeded(now: 400)
        XCTAssertEqual(s.connectionFailed(now: 450), .connect(index: 0, delayMillis: 300))
        // A connection that stayed up past the stable time starts the count again.
        _ = s.connectSucceeded(now: 1_000)
        XCTAssertEqual(s.connectionFailed(now: 11_000), .connect(index: 1, delayMillis: 0))
        _ = s.connectSucceeded(now: 11_010)
        XCTAssertEqual(s.connectionFailed(now: 11_020), .connect(index: 0, delayMillis: 150))
    }

    func testFailbackOnlyAfterThePrimaryStaysHealthy() {
        var s = selector()
        _ = s.start()
        _ = s.connectionFailed(now: 0)
        _ = s.connectSucceeded(now: 0)
        XCTAssertEqual(s.probeResult(healthy: true, now: 1_000), .probePrimary(delayMillis: 500))
        XCTAssertEqual(s.probeResult(healthy: true, now: 2_000), .probePrimary(delayMillis: 500))
        // One failed probe restarts the clock: a flapping primary never wins the bridge back.
        XCTAssertEqual(s.probeResult(healthy: false, now: 2_500), .probePrimary(delayMillis: 500))
        XCTAssertEqual(s.probeResult(healthy: true, now: 3_000), .probePrimary(delayMillis: 500))
        XCTAssertEqual(s.probeResult(healthy: true, now: 5_500), .probePrimary(delayMillis: 500))
        XCTAssertEqual(s.probeResult(healthy: true, now: 6_000), .failBack)
        XCTAssertEqual(s.current, 0)
        XCTAssertNil(s.probeResult(healthy: true, now: 7_000), "no probing once back on the primary")
    }
}
