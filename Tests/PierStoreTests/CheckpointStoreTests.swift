import Foundation
import XCTest

@testable import PierStore

final class CheckpointStoreTests: XCTestCase {
    /// The state: a running sum and count over records (each record's first byte).
    private struct Fold: Equatable {
        var sum = 0
        var count = 0
        mutating func apply(_ r: LogRecord) {
            sum += Int(r.bytes.first ?? 0)
            count += 1
        }
        var bytes: [UInt8] { FileCodec.u64(UInt64(sum)) + FileCodec.u64(UInt64(count)) }
        init() {}
        init(_ bytes: [UInt8]) {
            sum = Int(FileCodec.readU64(bytes[...], at: 0)!)
            count = Int(FileCodec.readU64(bytes[...], at: 8)!)
        }
    }

    func testCheckpointPlusReplayEqualsFullReplay() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 2000))
        var live = Fold()
        for i in 0..<500 {
            let offset = try log.appendAndWait([UInt8(i % 251), 1, 2, 3])
            live.apply(LogRecord(offset: offset, batchTimestamp: 0, payload: .init(bytes: [UInt8(i % 251)])))
            if i == 299 {
                try log.flush()
                try log.writeCheckpoint(live.bytes, upToOffset: log.endOffset)
            }
        }
        log.close()

        let reopened = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 2000))
        defer { reopened.close() }
        var full = Fold()
        for r in try reopened.read(from: 0) { full.apply(r) }
        let checkpoint = try XCTUnwrap(try reopened.loadLatestCheckpoint())
        XCTAssertEqual(checkpoint.upToOffset, 300)
        var restored = Fold(checkpoint.snapshot)
        for r in try reopened.read(from: checkpoint.upToOffset) { restored.apply(r) }
        XCTAssertEqual(restored, full)
        XCTAssertEqual(full, live)
    }

    func testNewestCorruptFallsBackToOlder() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let store = try CheckpointStore(directory: dir.path)
        try store.write([1, 1, 1], upToOffset: 10)
        try store.write([2, 2, 2], upToOffset: 20)
        var bytes = try dir.read("checkpoint-00000000000000000020.snap")
        bytes[bytes.count - 1] ^= 0xFF
        try dir.write(bytes, to: "checkpoint-00000000000000000020.snap")
        XCTAssertEqual(try store.loadLatest(), Checkpoint(upToOffset: 10, snapshot: [1, 1, 1]))
        // A fresh store (as after a restart) agrees and only counts the valid one.
        let fresh = try CheckpointStore(directory: dir.path)
        XCTAssertEqual(fresh.offsets, [10])
        XCTAssertEqual(try fresh.loadLatest()?.upToOffset, 10)
        // A truncated newest file too.
        try store.write([3], upToOffset: 30)
        dir.truncate("checkpoint-00000000000000000030.snap", to: 5)
        XCTAssertEqual(try store.loadLatest()?.upToOffset, 10)
    }

    func testKeepsTwoAndWritesAtomically() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let store = try CheckpointStore(directory: dir.path)
        for i in 1...5 { try store.write([UInt8(i)], upToOffset: UInt64(i * 100)) }
        XCTAssertEqual(dir.names(), ["checkpoint-00000000000000000400.snap", "checkpoint-00000000000000000500.snap"])
        XCTAssertEqual(store.offsets, [400, 500])
        XCTAssertEqual(store.retentionOffset, 400)
        XCTAssertEqual(try store.loadLatest(), Checkpoint(upToOffset: 500, snapshot: [5]))
    }

    func testEmptyDirectoryHasNoCheckpoint() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        XCTAssertNil(try CheckpointStore(directory: dir.path).loadLatest())
    }

    func testCheckpointBeyondEndIsRejected() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        XCTAssertThrowsError(try log.writeCheckpoint([], upToOffset: 1))
    }
}
