import Foundation
import XCTest

@testable import PierHA

final class ProcessIdentityTests: XCTestCase {
    func testDescribesThisProcess() {
        let me = ProcessIdentity.current()
        XCTAssertEqual(me.pid, getpid())
        XCTAssertGreaterThan(me.startTicks, 0)
        XCTAssertGreaterThan(me.pidNamespace, 0)
        XCTAssertEqual(me.bootID.count, 36, me.bootID)
        XCTAssertFalse(me.host.contains(" "))
        XCTAssertTrue(me.sharesProcessTable(with: me))
        XCTAssertFalse(me.hasProvablyEnded(me), "this process is alive")
    }

    func testAnEndedProcessOnThisHostIsProvablyEnded() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        let pid = child.processIdentifier
        let me = ProcessIdentity.current()
        var identity = me
        identity.pid = pid
        identity.startTicks = ProcessIdentity.procStat(of: pid)?.startTicks ?? 0
        child.waitUntilExit()
        XCTAssertTrue(me.hasProvablyEnded(identity))
    }

    func testAReusedPIDIsNotTheHolder() {
        let me = ProcessIdentity.current()
        var earlier = me
        earlier.startTicks = me.startTicks - 1
        XCTAssertTrue(me.hasProvablyEnded(earlier), "same PID, another start time: the holder is gone")
    }

    func testNothingIsProvenAboutAnotherHostOrNamespace() {
        let me = ProcessIdentity.current()
        var otherBoot = me
        otherBoot.pid = 999_999
        otherBoot.bootID = "another-boot"
        XCTAssertFalse(me.hasProvablyEnded(otherBoot))
        var otherNamespace = me
        otherNamespace.pid = 999_999
        otherNamespace.pidNamespace += 1
        XCTAssertFalse(me.hasProvablyEnded(otherNamespace))
    }
}
