import Foundation
import XCTest

@testable import PierStore

/// Damaged segment files committed under Fixtures/ (made by `testRegenerateFixtures` with
/// PIER_REGENERATE_FIXTURES=1). Each must give a clear error or a safe truncation, never a crash.
final class FixtureTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
    }

    /// Copies a fixture into a fresh log directory as its first segment.
    private func logDirectory(_ name: String, index: String? = nil) throws -> TempDirectory {
        let dir = TempDirectory()
        try dir.write(try fixture(name), to: "00000000000000000000.log")
        if let index { try dir.write(try fixture(index), to: "00000000000000000000.index") }
        return dir
    }

    private func assertCorruption(_ name: String, position: Int64, reasonContains: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try logDirectory(name)
        defer { dir.cleanup() }
        XCTAssertThrowsError(try SegmentLog(directory: dir.path, options: options()), file: file, line: line) { error in
            guard case let .corruption(segment, p, reason)? = error as? StoreError else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(segment, "00000000000000000000.log", file: file, line: line)
            XCTAssertEqual(p, position, file: file, line: line)
            XCTAssertTrue(reason.contains(reasonContains), reason, file: file, line: line)
        }
        let problems = try LogInspector.verify(directory: dir.path)
        XCTAssertEqual(problems.first?.file, "00000000000000000000.log", file: file, line: line)
        XCTAssertEqual(problems.first?.position, position, file: file, line: line)
        // Repair keeps the valid prefix.
        let log = try SegmentLog(directory: dir.path, options: options(repair: true))
        XCTAssertEqual(log.recoveryReport.truncations.first?.position, position, file: file, line: line)
        XCTAssertEqual(try log.read(from: 0).count, 2, file: file, line: line)
        log.close()
    }

    private var firstBatchSize: Int { RecordBatch.encode(Self.firstBatch, baseOffset: 0).count }
    static let firstBatch = [Array("{\"device\":\"gw-1/temp-1\",\"temperature\":21.5}".utf8), Array("{\"device\":\"gw-1/temp-2\"}".utf8)]

    func testShortHeaderIsATornTail() throws {
        let bytes = try fixture("short-header.log")
        XCTAssertThrowsError(try RecordBatch.decode(Array(bytes[firstBatchSize...]))) {
            XCTAssertEqual($0 as? RecordBatchError, .shortHeader(available: bytes.count - firstBatchSize))
        }
        let dir = try logDirectory("short-header.log")
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        XCTAssertEqual(log.recoveryReport.truncations.map(\.action), [.truncatedTornTail])
        XCTAssertEqual(log.recoveryReport.truncations.first?.position, Int64(firstBatchSize))
        XCTAssertEqual(try log.read(from: 0).map(\.bytes), Self.firstBatch)
    }

    func testBadCRC() throws {
        let bytes = try fixture("bad-crc.log")
        XCTAssertThrowsError(try RecordBatch.decode(Array(bytes[firstBatchSize...]))) {
            guard case .crcMismatch = $0 as? RecordBatchError else { return XCTFail("\($0)") }
        }
        try assertCorruption("bad-crc.log", position: Int64(firstBatchSize), reasonContains: "CRC mismatch")
    }

    func testBadLZ4Block() throws {
        let bytes = try fixture("bad-lz4.log")
        XCTAssertThrowsError(try RecordBatch.decode(Array(bytes[firstBatchSize...]))) {
            XCTAssertEqual($0 as? RecordBatchError, .badCompressedBlock)
        }
        try assertCorruption("bad-lz4.log", position: Int64(firstBatchSize), reasonContains: "LZ4")
    }

    func testWrongRecordCount() throws {
        let bytes = try fixture("wrong-record-count.log")
        XCTAssertThrowsError(try RecordBatch.decode(Array(bytes[firstBatchSize...]))) {
            guard case .recordCountMismatch = $0 as? RecordBatchError else { return XCTFail("\($0)") }
        }
        try assertCorruption("wrong-record-count.log", position: Int64(firstBatchSize), reasonContains: "record count")
    }

    func testTruncatedIndexIsReportedAndRebuilt() throws {
        let dir = try logDirectory("truncated-index.log", index: "truncated-index.index")
        defer { dir.cleanup() }
        let problems = try LogInspector.verify(directory: dir.path)
        XCTAssertEqual(problems.map(\.file), ["00000000000000000000.index"])
        let log = try SegmentLog(directory: dir.path, options: options())
        defer { log.close() }
        XCTAssertEqual(log.recoveryReport.rebuiltIndexes, ["00000000000000000000.index"])
        XCTAssertEqual(try LogInspector.verify(directory: dir.path), [])
        XCTAssertEqual(try log.read(from: 777, maxRecords: 1).first?.offset, 777)
    }

    func testEveryFixtureThroughTheFuzzPaths() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path) {
            let bytes = try fixture(name)
            _ = try? RecordBatch.decode(bytes)
            var scanner = SegmentScanner(source: MemoryByteSource(bytes), chunkSize: 64)
            _ = try scanner.scan(baseOffset: 0, indexInterval: 128)
        }
    }

    // MARK: Generation

    /// The committed fixtures are exactly what this generator makes, so they can be re-made and reviewed:
    /// `PIER_REGENERATE_FIXTURES=1 swift test --filter FixtureTests` rewrites them first.
    func testFixturesMatchTheirGenerator() throws {
        let regenerate = ProcessInfo.processInfo.environment["PIER_REGENERATE_FIXTURES"] == "1"
        func write(_ name: String, _ bytes: [UInt8]) throws {
            if regenerate {
                try FileManager.default.createDirectory(at: Self.fixtures, withIntermediateDirectories: true)
                try Data(bytes).write(to: Self.fixtures.appendingPathComponent(name))
            }
            XCTAssertEqual(try fixture(name), bytes, "Fixtures/\(name) differs from its generator")
        }
        func resign(_ b: inout [UInt8], at start: Int) {
            let crc = CRC32C.checksum(Array(b[(start + 8)...]))
            b.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self) }
        }
        let first = RecordBatch.encode(Self.firstBatch, baseOffset: 0, firstTimestamp: 1_732_476_000_000, lastTimestamp: 1_732_476_000_001)
        let telemetry = (0..<40).map { Array("{\"device\":\"gw-1/temp-\($0 % 4)\",\"temperature\":2\($0 % 10).5,\"status\":\"ok\"}".utf8) }
        let second = RecordBatch.encode(telemetry, baseOffset: 2, firstTimestamp: 1_732_476_000_002, lastTimestamp: 1_732_476_000_003)
        let third = RecordBatch.encode([[1, 2, 3]], baseOffset: 42)

        try write("short-header.log", first + Array(second.prefix(20)))

        var badCRC = second
        badCRC[60] ^= 0x04
        try write("bad-crc.log", first + badCRC + third)

        var badLZ4 = second
        precondition(badLZ4[9] == 0, "needs a compressed batch")
        for i in 48..<badLZ4.count { badLZ4[i] = 0xFF }
        resign(&badLZ4, at: 0)
        try write("bad-lz4.log", first + badLZ4 + third)

        var wrongCount = second
        wrongCount[20] &+= 1
        resign(&wrongCount, at: 0)
        try write("wrong-record-count.log", first + wrongCount + third)

        var image = SegmentImage()
        for b in 0..<200 { image.add((0..<5).map { record(b * 5 + $0, size: 60) }) }
        try write("truncated-index.log", image.bytes)
        var index = SegmentIndex()
        for (i, start) in image.batchStarts.enumerated() { index.noteBatch(relativeOffset: UInt32(i * 5), position: Int64(start)) }
        let full = SegmentIndex.serialize(index.entries)
        precondition(full.count > 24)
        try write("truncated-index.index", Array(full.prefix(full.count / 2 + 3)))
    }
}
