import Dispatch
import NIOCore
import NIOPosix
import Synchronization
import XCTest

@testable import PierServer

final class LoopWatchdogTests: XCTestCase {
    private final class Pings: Sendable {
        let count = Mutex(0)
        let signal = DispatchSemaphore(value: 0)
        func ping() {
            count.withLock { $0 += 1 }
            signal.signal()
        }
        var value: Int { count.withLock { $0 } }
    }

    func testPingsOnceEveryLoopHasAnswered() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        defer { try? group.syncShutdownGracefully() }
        let pings = Pings()
        let watchdog = LoopWatchdog(loops: group.makeIterator().map { $0 }) { pings.ping() }
        XCTAssertTrue(watchdog.probe())
        XCTAssertEqual(pings.signal.wait(timeout: .now() + 30), .success)
        XCTAssertTrue(watchdog.probe())
        XCTAssertEqual(pings.signal.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(pings.value, 2)
    }

    func testAHungLoopStopsThePingsUntilItAnswers() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        defer { try? group.syncShutdownGracefully() }
        let loops = group.makeIterator().map { $0 }
        let release = DispatchSemaphore(value: 0)
        let hung = DispatchSemaphore(value: 0)
        loops[1].execute {
            hung.signal()
            release.wait()  // the loop is stuck here
        }
        hung.wait()
        let pings = Pings()
        let watchdog = LoopWatchdog(loops: loops) { pings.ping() }
        XCTAssertTrue(watchdog.probe())
        // The healthy loops have run everything queued before this, the probe included.
        try loops[0].submit {}.wait()
        try loops[2].submit {}.wait()
        XCTAssertEqual(pings.value, 0, "no ping while a loop is hung")
        XCTAssertFalse(watchdog.probe(), "no new round while the previous one waits for the hung loop")
        XCTAssertEqual(pings.value, 0)

        release.signal()
        XCTAssertEqual(pings.signal.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(pings.value, 1)
        XCTAssertTrue(watchdog.probe(), "a recovered loop lets rounds start again")
        XCTAssertEqual(pings.signal.wait(timeout: .now() + 30), .success)
    }
}
