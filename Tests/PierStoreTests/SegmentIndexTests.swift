import Foundation
import XCTest

@testable import PierStore

final class SegmentIndexTests: XCTestCase {
    func testLookupFindsFloorEntry() {
        var index = SegmentIndex(interval: 100)
        XCTAssertNil(index.noteBatch(relativeOffset: 0, position: 0))
        XCTAssertNil(index.noteBatch(relativeOffset: 5, position: 60))
        XCTAssertEqual(index.noteBatch(relativeOffset: 10, position: 120), IndexEntry(relativeOffset: 10, position: 120))
        XCTAssertEqual(index.noteBatch(relativeOffset: 20, position: 250), IndexEntry(relativeOffset: 20, position: 250))
        XCTAssertEqual(index.position(for: 0), 0)
        XCTAssertEqual(index.position(for: 9), 0)
        XCTAssertEqual(index.position(for: 10), 120)
        XCTAssertEqual(index.position(for: 19), 120)
        XCTAssertEqual(index.position(for: 1000), 250)
        let (parsed, trailing) = SegmentIndex.parse(SegmentIndex.serialize(index.entries) + [1, 2, 3])
        XCTAssertEqual(parsed, index.entries)
        XCTAssertEqual(trailing, 3)
    }

    private func makeLog(_ dir: TempDirectory, records: Int) throws {
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 16 * 1024))
        // Several records per batch, several batches per index interval, several segments.
        for start in stride(from: 0, to: records, by: 7) {
            try log.appendAndWait(contentsOf: (start..<min(start + 7, records)).map { record($0, size: 100) })
        }
        log.close()
    }

    func testReadFromEveryOffsetAcrossSegments() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        try makeLog(dir, records: 1500)
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 16 * 1024))
        defer { log.close() }
        XCTAssertGreaterThan(log.segmentInfos().count, 3)
        XCTAssertTrue(log.segmentInfos().allSatisfy { $0.records > 0 })
        for offset in stride(from: 0, to: 1500, by: 7) + [1, 2, 499, 500, 501, 1498, 1499] {
            let got = try log.read(from: UInt64(offset), maxRecords: 40)
            let expected = Array(offset..<min(offset + 40, 1500))
            XCTAssertEqual(got.map(\.offset), expected.map(UInt64.init), "from \(offset)")
            XCTAssertEqual(got.map(\.bytes), expected.map { record($0, size: 100) })
        }
        // Every segment boundary read straight through.
        for info in log.segmentInfos().dropFirst() {
            let got = try log.read(from: info.baseOffset - 1, maxRecords: 2)
            XCTAssertEqual(got.map(\.offset), [info.baseOffset - 1, info.baseOffset])
        }
        XCTAssertEqual(try log.read(from: 1500).count, 0)
        XCTAssertThrowsError(try log.read(from: 1501))
    }

    func testIndexActuallyHasEntries() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        try makeLog(dir, records: 1500)
        let first = try dir.read("00000000000000000000.index")
        XCTAssertGreaterThan(first.count / SegmentIndex.entrySize, 1)
    }

    func testDeletedOrTruncatedIndexIsRebuilt() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        try makeLog(dir, records: 1500)
        let good = try dir.read("00000000000000000000.index")
        let segments = dir.names().filter { $0.hasSuffix(".index") }
        try FileManager.default.removeItem(atPath: dir.file(segments[0]))
        dir.truncate(segments[1], to: 13)
        try dir.write([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], to: segments[2])  // an entry pointing nowhere
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 16 * 1024))
        defer { log.close() }
        XCTAssertEqual(Set(log.recoveryReport.rebuiltIndexes), Set(segments.prefix(3)))
        XCTAssertEqual(try dir.read(segments[0]), good)
        for offset in [0, 3, 250, 777, 1200] {
            XCTAssertEqual(try log.read(from: UInt64(offset), maxRecords: 1).first?.offset, UInt64(offset))
        }
        XCTAssertEqual(try LogInspector.verify(directory: dir.path), [])
    }
}
