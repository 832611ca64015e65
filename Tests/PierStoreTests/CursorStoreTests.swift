import XCTest

@testable import PierStore

final class CursorStoreTests: XCTestCase {
    func testCursorPersistsAcrossReopen() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        do {
            let log = try SegmentLog(directory: dir.path, options: options())
            for i in 0..<20 { try log.appendAndWait(record(i)) }
            let cursor = try log.cursor(named: "uplink/amqp primary")
            XCTAssertNil(cursor.acknowledged)
            let reader = try cursor.reader()
            let first = try reader.next(max: 5)
            XCTAssertEqual(first.map(\.offset), [0, 1, 2, 3, 4])
            try cursor.acknowledge(upTo: 4)
            XCTAssertEqual(cursor.acknowledged, 4)
            XCTAssertThrowsError(try cursor.acknowledge(upTo: 20))
            log.close()
        }
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        XCTAssertEqual(log.cursorPositions, ["uplink/amqp primary": 5])
        let cursor = try log.cursor(named: "uplink/amqp primary")
        XCTAssertEqual(cursor.acknowledged, 4)
        XCTAssertEqual(try cursor.reader().next()?.offset, 5)
        // Acknowledging backwards is ignored.
        try cursor.acknowledge(upTo: 2)
        XCTAssertEqual(cursor.nextOffset, 5)
    }

    func testFileNamesAreEscaped() {
        XCTAssertEqual(CursorStore.fileName("bridge-1"), "cursor-bridge-1.pos")
        XCTAssertEqual(CursorStore.fileName("a/b c"), "cursor-a%2Fb%20c.pos")
        XCTAssertEqual(CursorStore.fileName(".."), "cursor-%2E..pos")
    }

    func testDamagedCursorFileIsIgnored() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let store = try CursorStore(directory: dir.path)
        try store.store("x", nextOffset: 7)
        var bytes = try dir.read("cursor-x.pos")
        bytes[13] ^= 1
        try dir.write(bytes, to: "cursor-x.pos")
        XCTAssertNil(try CursorStore(directory: dir.path).nextOffset(of: "x"))
    }

    func testRemoveCursorReleasesRetention() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        try log.appendAndWait([1])
        _ = try log.cursor(named: "c")
        try log.writeCheckpoint([], upToOffset: 1)
        XCTAssertEqual(log.retentionFloor, 0)
        try log.removeCursor(named: "c")
        XCTAssertEqual(log.retentionFloor, 1)
    }
}
