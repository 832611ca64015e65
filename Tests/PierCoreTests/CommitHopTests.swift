import NIOCore
import NIOPosix
import XCTest

@testable import PierCore

final class CommitHopTests: XCTestCase {
    func testACallbackMadeOnALoopRunsBackOnThatLoopWhateverThreadCallsIt() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let ran = loop.makePromise(of: Bool.self)
        let callback = try loop.submit { CommitHop.toCallingLoop { ran.succeed(loop.inEventLoop) } }.wait()
        // The storage writer's thread, played by this test thread.
        callback()
        XCTAssertTrue(try ran.futureResult.wait())
    }

    func testOffAnyLoopTheCallbackRunsInPlace() {
        let box = NIOLockedBox(0)
        CommitHop.toCallingLoop { box.value += 1 }()
        XCTAssertEqual(box.value, 1, "ran synchronously on the calling thread")
    }
}
