import Foundation
import XCTest

@testable import PierStore

final class LogRecoveryTests: XCTestCase {
    private let segmentName = "00000000000000000000.log"

    func testTornTailAtEveryByteOfTheLastBatch() throws {
        let image = SegmentImage.make(batches: 4, recordsPerBatch: 3)
        let lastStart = image.batchStarts.last!
        for cut in lastStart...image.bytes.count {
            let dir = TempDirectory()
            defer { dir.cleanup() }
            try dir.write(Array(image.bytes[..<cut]), to: segmentName)
            let log = try SegmentLog(directory: dir.path, options: options())
            defer { log.close() }
            let report = log.recoveryReport
            let intact = cut == lastStart || cut == image.bytes.count
            if intact {
                XCTAssertEqual(report.truncations, [], "cut \(cut)")
            } else {
                XCTAssertEqual(report.truncations.count, 1, "cut \(cut)")
                let t = report.truncations[0]
                XCTAssertEqual(t.segment, segmentName)
                XCTAssertEqual(t.position, Int64(lastStart))
                XCTAssertEqual(t.bytesDropped, Int64(cut - lastStart))
                XCTAssertEqual(t.action, .truncatedTornTail)
            }
            let expectedRecords = cut == image.bytes.count ? 12 : 9
            XCTAssertEqual(log.endOffset, UInt64(expectedRecords), "cut \(cut)")
            XCTAssertEqual(try readAll(log).map(\.bytes), (0..<expectedRecords).map { record($0) })
            // The file itself was cut back, and the log appends cleanly after it.
            XCTAssertEqual(try dir.read(segmentName).count, cut == image.bytes.count ? cut : lastStart)
            XCTAssertEqual(try log.appendAndWait(record(99)), UInt64(expectedRecords))
        }
    }

    func testTrailingZerosAreATornTail() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let image = SegmentImage.make(batches: 2, recordsPerBatch: 2)
        try dir.write(image.bytes + [UInt8](repeating: 0, count: 4096), to: segmentName)
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        XCTAssertEqual(log.recoveryReport.truncations.map(\.action), [.truncatedTornTail])
        XCTAssertEqual(log.endOffset, 4)
    }

    func testMidLogCorruptionRefusesToOpen() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var image = SegmentImage.make(batches: 5, recordsPerBatch: 2)
        image.bytes[image.batchStarts[2] + 60] ^= 0x10
        try dir.write(image.bytes, to: segmentName)
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options())) { error in
            guard case let .corruption(segment, position, reason) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(segment, segmentName)
            XCTAssertEqual(position, Int64(image.batchStarts[2]))
            XCTAssertTrue(reason.contains("CRC mismatch"), reason)
        }
        // Refusing must not have changed the file.
        XCTAssertEqual(try dir.read(segmentName), image.bytes)
    }

    func testRepairTruncatesAtFirstBadBatchAndDropsLaterSegments() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var first = SegmentImage.make(batches: 5, recordsPerBatch: 2)
        let second = SegmentImage.make(batches: 2, recordsPerBatch: 2, from: first.nextOffset)
        first.bytes[first.batchStarts[3] + 50] ^= 0x01
        try dir.write(first.bytes, to: segmentName)
        try dir.write(second.bytes, to: "00000000000000000010.log")
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options()))

        let log = try SegmentLog(directory: dir.path, options: options(repair: true))
        defer { log.close() }
        let report = log.recoveryReport
        XCTAssertEqual(report.truncations.map(\.action), [.truncatedCorruption, .droppedSegment])
        XCTAssertEqual(report.truncations[0].position, Int64(first.batchStarts[3]))
        XCTAssertEqual(report.truncations[0].bytesDropped, Int64(first.bytes.count - first.batchStarts[3]))
        XCTAssertEqual(report.truncations[1].segment, "00000000000000000010.log")
        XCTAssertEqual(log.endOffset, 6)
        XCTAssertFalse(dir.exists("00000000000000000010.log"))
        XCTAssertEqual(try readAll(log).count, 6)
    }

    func testCorruptionInANonLastSegmentIsNeverATornTail() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let first = SegmentImage.make(batches: 3, recordsPerBatch: 2)
        let second = SegmentImage.make(batches: 1, recordsPerBatch: 2, from: first.nextOffset)
        try dir.write(Array(first.bytes.dropLast(5)), to: segmentName)
        try dir.write(second.bytes, to: "00000000000000000006.log")
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options())) { error in
            guard case .corruption(segmentName, Int64(first.batchStarts[2]), _)? = error as? StoreError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testDamagedBatchFollowedByAValidOneInTheLastSegmentIsCorruption() throws {
        // A torn write is the last thing in the file; valid data after bad data is damage.
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var image = SegmentImage.make(batches: 3, recordsPerBatch: 2)
        image.bytes[image.batchStarts[1] + 46] ^= 0x40  // compressed size: now claims past EOF
        try dir.write(image.bytes, to: segmentName)
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options())) { error in
            guard case .corruption(_, Int64(image.batchStarts[1]), _)? = error as? StoreError else { return XCTFail("\(error)") }
        }
    }

    func testMissingSegmentInTheMiddleIsCorruption() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let a = SegmentImage.make(batches: 1, recordsPerBatch: 2)
        let c = SegmentImage.make(batches: 1, recordsPerBatch: 2, from: 4)
        try dir.write(a.bytes, to: segmentName)
        try dir.write(c.bytes, to: "00000000000000000004.log")
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options()))
        let log = try SegmentLog(directory: dir.path, options: options(repair: true))
        defer { log.close() }
        XCTAssertEqual(log.recoveryReport.truncations.map(\.action), [.droppedSegment])
        XCTAssertEqual(log.endOffset, 2)
    }

    func testReopenAfterAppendsKeepsEverything() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        do {
            let log = try SegmentLog(directory: dir.path, options: options(fsync: .always, segmentMaxBytes: 2000))
            for i in 0..<300 { try log.appendAndWait(record(i)) }
            log.close()
        }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 2000))
        defer { log.close() }
        XCTAssertTrue(log.recoveryReport.isClean, "\(log.recoveryReport)")
        XCTAssertGreaterThan(log.recoveryReport.segments, 3)
        XCTAssertEqual(log.recoveryReport.records, 300)
        XCTAssertEqual(try readAll(log).map(\.bytes), (0..<300).map { record($0) })
    }

    func testRecoveryProgressIsReported() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let image = SegmentImage.make(batches: 50, recordsPerBatch: 20)
        try dir.write(image.bytes, to: segmentName)
        let seen = NIOLockedBox()
        var o = options()
        o.progressIntervalBytes = 1000
        o.onRecoveryProgress = { p in seen.add(p.bytesScanned) }
        let log = try SegmentLog(directory: dir.path, options: o)
        log.close()
        XCTAssertGreaterThan(seen.values.count, 3)
        XCTAssertEqual(seen.values, seen.values.sorted())
    }
}

final class NIOLockedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int64] = []
    func add(_ v: Int64) { lock.withLock { storage.append(v) } }
    var values: [Int64] { lock.withLock { storage } }
}
