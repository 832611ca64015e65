import NIOCore
import NIOPosix
import XCTest

/// The bounded wait the interop tests use instead of a bare `wait()`.
final class FutureTimeoutTests: XCTestCase {
    func testANeverCompletedFutureFailsInsteadOfHanging() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let never = group.next().makePromise(of: Void.self)
        XCTAssertThrowsError(try never.futureResult.wait(timeout: .milliseconds(50), "a lost message")) { error in
            XCTAssertTrue(error is FutureTimedOut, "\(error)")
        }
        never.succeed()
    }

    func testACompletedFutureReturnsItsValue() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        XCTAssertEqual(try loop.makeSucceededFuture(7).wait(timeout: .seconds(60), "seven"), 7)
        let later = loop.scheduleTask(in: .milliseconds(10)) { 8 }.futureResult
        XCTAssertEqual(try later.wait(timeout: .seconds(60), "eight"), 8)
    }
}
