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

final class DeliveryKeyTests: XCTestCase {
    func testShortKeysAreInlineAndEqualHoweverMade() {
        XCTAssertEqual(DeliveryKey([0, 9]), DeliveryKey(packed: 9, count: 2))
        XCTAssertEqual(DeliveryKey([0, 9]).bytes, [0, 9])
        XCTAssertEqual(DeliveryKey(packed: 0x1234, count: 2).bytes, [0x12, 0x34])
        XCTAssertNotEqual(DeliveryKey([9]), DeliveryKey([0, 9]), "the length is part of the key")
        XCTAssertNotNil(DeliveryKey([1, 2, 3, 4, 5, 6, 7, 8]).packed)
    }

    func testLongKeysKeepEveryByte() {
        let tag = Array(UInt8(0)..<32)
        XCTAssertEqual(DeliveryKey(tag).bytes, tag)
        XCTAssertNil(DeliveryKey(tag).packed)
        XCTAssertTrue(DeliveryKey([0, 1]) < DeliveryKey([0, 2]))
    }

    func testManyPostsFromAnotherThreadRunInOrderOnTheLoop() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let seen = NIOLockedBox<[Int]>([])
        let done = loop.makePromise(of: Void.self)
        let callbacks: [@Sendable () -> Void] = try loop.submit {
            (0..<100).map { i in CommitHop.toCallingLoop {
                XCTAssertTrue(loop.inEventLoop)
                seen.value.append(i)
                if i == 99 { done.succeed() }
            } }
        }.wait()
        for c in callbacks { c() }
        try done.futureResult.wait()
        XCTAssertEqual(seen.value, Array(0..<100))
    }
}
