import Foundation
import XCTest

@testable import PierHA

final class LockFileTests: XCTestCase {
    func testOneOpenFileDescriptionHoldsTheActiveLockEvenWithinOneProcess() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try LockFile(path: dir + "/pier.lock")
        let b = try LockFile(path: dir + "/pier.lock")
        XCTAssertTrue(try a.tryLockActive())
        XCTAssertFalse(try b.tryLockActive())
        XCTAssertTrue(b.isHeldElsewhere(.active))
        XCTAssertFalse(b.isHeldElsewhere(.standby))

        // Unlike a POSIX record lock, closing another descriptor on the file keeps it.
        let other = open(dir + "/pier.lock", O_RDONLY)
        close(other)
        XCTAssertFalse(try b.tryLockActive())

        b.markStandby()
        let c = try LockFile(path: dir + "/pier.lock")
        XCTAssertTrue(c.isHeldElsewhere(.standby))
        a.unlockActive()
        XCTAssertTrue(try b.tryLockActive())
    }

    func testNoticesTheFileBeingRemovedOrReplaced() throws {
        let dir = try makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try LockFile(path: dir + "/pier.lock")
        XCTAssertTrue(a.isStillAtPath())
        XCTAssertEqual(unlink(dir + "/pier.lock"), 0)
        XCTAssertFalse(a.isStillAtPath())
        let replacement = try LockFile(path: dir + "/pier.lock")
        XCTAssertFalse(a.isStillAtPath())
        XCTAssertTrue(replacement.isStillAtPath())
        // The lock on the unlinked file no longer guards the path.
        XCTAssertTrue(try a.tryLockActive())
        XCTAssertTrue(try replacement.tryLockActive())
    }
}
