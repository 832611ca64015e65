import Foundation
import NIOConcurrencyHelpers
import XCTest

@testable import PierStore

final class SegmentLogTests: XCTestCase {
    func testAppendReadAndOffsets() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(fsync: .always))
        defer { log.close() }
        XCTAssertEqual(log.startOffset, 0)
        XCTAssertEqual(log.endOffset, 0)
        XCTAssertEqual(try log.appendAndWait([1, 2, 3]), 0)
        XCTAssertEqual(try log.appendAndWait([]), 1)
        XCTAssertEqual(try log.appendAndWait(contentsOf: [[4], [5]]), [2, 3])
        XCTAssertEqual(log.endOffset, 4)
        XCTAssertEqual(try log.read(from: 0).map(\.bytes), [[1, 2, 3], [], [4], [5]])
        XCTAssertEqual(try log.read(from: 2).map(\.offset), [2, 3])
    }

    func testReaderFollowsTheLog() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 300))
        defer { log.close() }
        let reader = try log.reader(from: 0)
        XCTAssertNil(try reader.next())
        for i in 0..<50 {
            try log.appendAndWait(record(i))
            XCTAssertEqual(try reader.next()?.bytes, record(i))
            XCTAssertNil(try reader.next())
        }
        XCTAssertGreaterThan(log.segmentInfos().count, 2)
    }

    func testRollBySize() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 1000))
        defer { log.close() }
        for i in 0..<100 { try log.appendAndWait(record(i, size: 100)) }
        let infos = log.segmentInfos()
        XCTAssertGreaterThan(infos.count, 5)
        for (a, b) in zip(infos, infos.dropFirst()) {
            XCTAssertEqual(a.nextOffset, b.baseOffset)
            // A segment exceeds the limit by at most the batch that crossed it.
            XCTAssertLessThan(a.sizeBytes, 1000 + 200)
            XCTAssertGreaterThanOrEqual(a.sizeBytes, 1000)
        }
        XCTAssertEqual(dir.names().filter { $0.hasSuffix(".log") }, infos.map(\.fileName))
    }

    func testRollByAge() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let now = NIOLockedValueBox<Int64>(1_000_000)
        var o = options()
        o.segmentMaxAgeMilliseconds = 60_000
        o.clock = { now.withLockedValue { $0 } }
        let log = try SegmentLog(directory: dir.path, options: o)
        defer { log.close() }
        try log.appendAndWait(record(0))
        now.withLockedValue { $0 += 59_999 }
        try log.appendAndWait(record(1))
        XCTAssertEqual(log.segmentInfos().count, 1)
        now.withLockedValue { $0 += 1 }
        try log.appendAndWait(record(2))
        XCTAssertEqual(log.segmentInfos().map(\.baseOffset), [0, 2])
        XCTAssertEqual(log.segmentInfos()[0].firstTimestamp, 1_000_000)
        XCTAssertEqual(log.segmentInfos()[0].lastTimestamp, 1_059_999)
    }

    private func makeSegments(_ log: SegmentLog, records: Int) throws {
        for i in 0..<records { try log.appendAndWait(record(i, size: 100)) }
    }

    func testRetentionNeedsACheckpoint() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 1000))
        defer { log.close() }
        try makeSegments(log, records: 100)
        // No checkpoint: the whole log is needed to rebuild state.
        XCTAssertEqual(log.retentionFloor, 0)
        XCTAssertEqual(try log.deleteSegments(below: 100), [])

        try log.writeCheckpoint([1], upToOffset: 50)
        XCTAssertEqual(log.retentionFloor, 50)
        let deleted = try log.deleteSegments(below: 100)
        XCTAssertFalse(deleted.isEmpty)
        XCTAssertTrue(deleted.allSatisfy { $0.nextOffset <= 50 })
        XCTAssertLessThanOrEqual(log.startOffset, 50)
        XCTAssertGreaterThan(log.startOffset, 0)
        // What is left still reads from the checkpoint on.
        XCTAssertEqual(try log.read(from: 50).count, 50)
        XCTAssertThrowsError(try log.read(from: 0))
        for info in deleted { XCTAssertFalse(dir.exists(info.fileName)) }
    }

    func testRetentionRespectsCursorsAndTheOlderKeptCheckpoint() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 1000))
        defer { log.close() }
        try makeSegments(log, records: 100)
        let bridge = try log.cursor(named: "bridge")
        try log.writeCheckpoint([1], upToOffset: 60)
        try log.writeCheckpoint([2], upToOffset: 90)
        // The bridge has acknowledged nothing: nothing may go.
        XCTAssertEqual(log.retentionFloor, 0)
        XCTAssertEqual(try log.deleteSegments(below: 100), [])
        try bridge.acknowledge(upTo: 29)
        XCTAssertEqual(log.retentionFloor, 30)
        try log.deleteSegments(below: 100)
        XCTAssertLessThanOrEqual(log.startOffset, 30)
        try bridge.acknowledge(upTo: 99)
        // Both kept checkpoints must stay replayable, so the older one (60) bounds retention.
        XCTAssertEqual(log.retentionFloor, 60)
        try log.deleteSegments(below: 100)
        XCTAssertLessThanOrEqual(log.startOffset, 60)
        XCTAssertGreaterThan(log.startOffset, 30)
        // `below` bounds it too.
        try log.writeCheckpoint([3], upToOffset: 100)
        try log.deleteSegments(below: 70)
        XCTAssertLessThanOrEqual(log.startOffset, 70)
    }

    func testActiveSegmentIsNeverDeleted() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        try makeSegments(log, records: 10)
        try log.writeCheckpoint([], upToOffset: 10)
        XCTAssertEqual(try log.deleteSegments(below: 10), [])
        XCTAssertEqual(log.startOffset, 0)
    }

    func testClosedLogRejectsAppends() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options())
        try log.appendAndWait([1])
        log.close()
        XCTAssertThrowsError(try log.appendAndWait([2])) { XCTAssertEqual($0 as? StoreError, .closed) }
        log.close()
    }

    func testRecordTooLarge() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var o = options()
        o.maxRecordBytes = 10
        let log = try SegmentLog(directory: dir.path, options: o)
        defer { log.close() }
        XCTAssertThrowsError(try log.appendAndWait([UInt8](repeating: 0, count: 11))) {
            XCTAssertEqual($0 as? StoreError, .recordTooLarge(size: 11, limit: 10))
        }
    }

    func testIntervalPolicySyncsInTheBackground() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(fsync: .interval(milliseconds: 20)))
        defer { log.close() }
        try log.appendAndWait([1])
        let deadline = Date().addingTimeInterval(5)
        while log.commitStats.syncs == 0 && Date() < deadline { usleep(5000) }
        XCTAssertGreaterThan(log.commitStats.syncs, 0)
        try log.flush()
    }
}
