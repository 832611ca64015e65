import Foundation
import XCTest

@testable import PierStore

/// A fence the test opens and closes.
final class TestFence: WriteFence, @unchecked Sendable {
    private let lock = NSLock()
    private var open = true
    func close() { lock.withLock { open = false } }
    func permitsWrite() -> Bool { lock.withLock { open } }
}

final class WriteFenceTests: XCTestCase {
    func testAFencedLogAppendsNothingMoreAndAcknowledgesNothing() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let fence = TestFence()
        var o = options(fsync: .always)
        o.fence = fence
        let log = try SegmentLog(directory: dir.path, options: o)
        XCTAssertEqual(try log.appendAndWait(record(0)), 0)
        let segment = dir.names().first { $0.hasSuffix(".log") }!
        let sizeBefore = try dir.read(segment).count

        fence.close()
        XCTAssertThrowsError(try log.appendAndWait(record(1)))
        // Refused for good, even if the fence were to open again.
        XCTAssertThrowsError(try log.appendAndWait(record(2)))
        XCTAssertEqual(try dir.read(segment).count, sizeBefore, "a fenced log wrote bytes")
        XCTAssertThrowsError(try log.writeCheckpoint([1, 2, 3], upToOffset: 1)) { XCTAssertEqual($0 as? StoreError, .fenced) }
        XCTAssertFalse(dir.names().contains { $0.hasSuffix(".checkpoint") })
        log.close()

        let reopened = try SegmentLog(directory: dir.path, options: options())
        XCTAssertEqual(reopened.endOffset, 1)
        reopened.close()
    }

    func testCursorsAndRetentionAreFencedToo() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let fence = TestFence()
        var o = options()
        o.fence = fence
        let log = try SegmentLog(directory: dir.path, options: o)
        _ = try log.appendAndWait(contentsOf: [record(0), record(1)])
        let cursor = try log.cursor(named: "bridge")
        fence.close()
        XCTAssertThrowsError(try cursor.acknowledge(upTo: 0)) { XCTAssertEqual($0 as? StoreError, .fenced) }
        XCTAssertThrowsError(try log.cursor(named: "another")) { XCTAssertEqual($0 as? StoreError, .fenced) }
        XCTAssertThrowsError(try log.removeCursor(named: "bridge")) { XCTAssertEqual($0 as? StoreError, .fenced) }
        XCTAssertThrowsError(try log.deleteSegments(below: 2)) { XCTAssertEqual($0 as? StoreError, .fenced) }
        XCTAssertEqual(log.cursorPositions["bridge"], 0)
        log.close()
    }
}
