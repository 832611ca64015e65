import Foundation
import PierStore
import XCTest

@testable import PierHA

final class ActiveLeaseTests: XCTestCase {
    private func activate(_ dir: String) throws -> ActiveLease {
        try XCTUnwrap(try PairMember(dataDirectory: dir, options: fastOptions).becomeActive())
    }

    func testRenewalAdvancesTheSequence() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lease = try activate(dir)
        let first = try XCTUnwrap(try LeaseFile.read(lease.leasePath).record)
        lease.renew()
        let second = try XCTUnwrap(try LeaseFile.read(lease.leasePath).record)
        XCTAssertEqual(second.sequence, first.sequence + 1)
        XCTAssertEqual(second.owner, first.owner)
        XCTAssertTrue(lease.permitsWrite())
        lease.release()
        XCTAssertEqual(try LeaseFile.read(lease.leasePath).record?.state, .released)
    }

    func testALeaseInAnotherNameFencesAtTheNextRenewal() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lease = try activate(dir)
        let reasons = Reasons()
        lease.start { reasons.add($0) }
        var foreign = lease.record
        foreign.owner &+= 1
        foreign.holder = remoteHolder
        try LeaseFile.write(foreign, to: lease.leasePath)
        XCTAssertTrue(reasons.wait(), "no fence")
        XCTAssertFalse(lease.permitsWrite())
        XCTAssertTrue(reasons.first?.contains("elsewhere") ?? false, "\(reasons.first ?? "")")
        // The foreign lease is left alone, and release does not mark it released.
        lease.release()
        XCTAssertEqual(try LeaseFile.read(lease.leasePath).record?.owner, foreign.owner)
        XCTAssertEqual(try LeaseFile.read(lease.leasePath).record?.state, .active)
    }

    func testARemovedLockFileFences() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lease = try activate(dir)
        let reasons = Reasons()
        lease.start { reasons.add($0) }
        XCTAssertEqual(unlink(dir + "/pier.lock"), 0)
        XCTAssertTrue(reasons.wait())
        XCTAssertTrue(reasons.first?.contains("removed or replaced") ?? false, "\(reasons.first ?? "")")
        XCTAssertFalse(lease.permitsWrite())
        lease.release()
    }

    func testALapsedLeaseStaysFencedEvenIfARenewalLaterSucceeds() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lease = try activate(dir)
        // Not started: nothing renews, as when the renewal thread is starved or the mount hangs.
        usleep(UInt32(fastOptions.writeWindowMillis + 20) * 1000)
        XCTAssertFalse(lease.permitsWrite())
        lease.renew()
        XCTAssertTrue(lease.isFenced)
        XCTAssertFalse(lease.permitsWrite())
    }
}

/// Fence reasons, as the renewal thread reports them.
final class Reasons: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var list: [String] = []
    func add(_ reason: String) {
        lock.withLock { list.append(reason) }
        signal.signal()
    }
    var first: String? { lock.withLock { list.first } }
    func wait() -> Bool { signal.wait(timeout: .now() + 3) == .success }
}
