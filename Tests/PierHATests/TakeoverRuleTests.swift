import XCTest

@testable import PierHA

final class TakeoverRuleTests: XCTestCase {
    let rule = TakeoverRule(timeoutMillis: 1000)

    func lease(_ state: LeaseRecord.State = .active, timeout: Int = 1000) -> LeaseReading {
        var r = LeaseRecordTests.record
        r.state = state
        r.timeoutMillis = timeout
        return .record(r)
    }

    func testTakesOverAtOnceOnlyWithProof() {
        XCTAssertEqual(rule.decide(.missing, unchangedForMillis: 0, holderEnded: false), .takeOver("no lease"))
        guard case .takeOver = rule.decide(lease(.released), unchangedForMillis: 0, holderEnded: false) else {
            return XCTFail("a released lease is free")
        }
        guard case .takeOver = rule.decide(lease(), unchangedForMillis: 0, holderEnded: true) else {
            return XCTFail("a holder that provably ended cannot write")
        }
        guard case .wait = rule.decide(lease(), unchangedForMillis: 999, holderEnded: false) else {
            return XCTFail("a live lease must be waited out")
        }
    }

    func testAStaleLeaseIsTakenAfterTheLongerOfTheTwoTimeouts() {
        guard case .takeOver = rule.decide(lease(), unchangedForMillis: 1000, holderEnded: false) else {
            return XCTFail("unchanged for a whole timeout")
        }
        // The holder runs with a longer timeout and so may still be writing.
        guard case .wait = rule.decide(lease(timeout: 5000), unchangedForMillis: 1000, holderEnded: false) else {
            return XCTFail("the holder's longer timeout counts")
        }
        guard case .takeOver = rule.decide(lease(timeout: 5000), unchangedForMillis: 5000, holderEnded: false) else {
            return XCTFail("and then expires")
        }
        let shortHolder = rule.decide(lease(timeout: 100), unchangedForMillis: 500, holderEnded: false)
        guard case .wait = shortHolder else { return XCTFail("our own timeout counts too") }
    }

    func testAnUnreadableLeaseIsWaitedOutLikeALiveOne() {
        guard case .wait = rule.decide(.unreadable([1, 2]), unchangedForMillis: 10, holderEnded: false) else { return XCTFail() }
        guard case .takeOver = rule.decide(.unreadable([1, 2]), unchangedForMillis: 1000, holderEnded: false) else { return XCTFail() }
    }
}
