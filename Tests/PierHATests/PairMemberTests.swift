import Foundation
import Logging
import PierStore
import XCTest

@testable import PierHA

final class PairMemberTests: XCTestCase {
    func testTheSecondWaitsAsStandbyAndTakesOverOnRelease() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try XCTUnwrap(try PairMember(dataDirectory: dir, options: fastOptions).becomeActive())
        first.start { _ in }
        XCTAssertEqual(first.record.epoch, 1)

        let stop = StopFlag()
        let second = Background { () throws -> LeaseRecord? in
            try PairMember(dataDirectory: dir, options: fastOptions).becomeActive(shouldStop: { stop.isSet })?.record
        }
        // Longer than the lease timeout: a live, renewing active is never taken over.
        XCTAssertNil(second.wait(seconds: 1.5), "the standby took over from a live active")
        let status = try PairStatus.read(dataDirectory: dir)
        XCTAssertTrue(status.hasActive)
        XCTAssertTrue(status.standbyWaiting)
        XCTAssertTrue(first.permitsWrite())

        let released = WallClock.monotonicNanoseconds()
        first.release()
        XCTAssertFalse(first.permitsWrite())
        let taken = try XCTUnwrap(try XCTUnwrap(second.wait(seconds: 5)).get())
        let millis = (WallClock.monotonicNanoseconds() - released) / 1_000_000
        XCTAssertEqual(taken.epoch, 2)
        XCTAssertLessThan(millis, 2000, "a released lease is taken at the next poll")
    }

    func testALeaseNobodyRenewsIsWaitedOutThenTaken() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A crashed holder on another host: its lock is gone (the kernel dropped it), its lease is not.
        let stale = LeaseRecord(state: .active, owner: 5, epoch: 3, sequence: 10, holder: remoteHolder,
                                renewedMillis: WallClock.milliseconds(), leaseMillis: 20, timeoutMillis: 200)
        try LeaseFile.write(stale, to: dir + "/pier.lease")
        let start = WallClock.monotonicNanoseconds()
        let lease = try XCTUnwrap(try PairMember(dataDirectory: dir, options: fastOptions).becomeActive())
        let waited = (WallClock.monotonicNanoseconds() - start) / 1_000_000
        XCTAssertGreaterThanOrEqual(waited, UInt64(fastOptions.leaseTimeoutMillis), "took over before the lease could have expired")
        XCTAssertEqual(lease.record.epoch, 4)
        lease.release()
    }

    func testRefuseModeExitsInsteadOfWaiting() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let active = try XCTUnwrap(try PairMember(dataDirectory: dir, options: fastOptions).becomeActive())
        var refuse = fastOptions
        refuse.mode = .refuse
        XCTAssertThrowsError(try PairMember(dataDirectory: dir, options: refuse).becomeActive()) { error in
            guard case HAError.refused(let why) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("pid \(getpid())"), why)
        }
        active.release()
        // Once released, refuse mode starts normally.
        let next = try XCTUnwrap(try PairMember(dataDirectory: dir, options: refuse).becomeActive())
        next.release()
    }

    func testAStandbyStopsWhenAsked() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let active = try XCTUnwrap(try PairMember(dataDirectory: dir, options: fastOptions).becomeActive())
        let stop = StopFlag()
        let standby = Background { () throws -> Bool in
            try PairMember(dataDirectory: dir, options: fastOptions).becomeActive(shouldStop: { stop.isSet }) == nil
        }
        stop.set()
        XCTAssertEqual(try standby.wait(seconds: 2)?.get(), true)
        active.release()
    }
}
