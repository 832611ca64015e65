import XCTest

@testable import PierStore

final class LogInspectorTests: XCTestCase {
    func testInspectSummarisesSegmentsCheckpointsAndCursors() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let log = try SegmentLog(directory: dir.path, options: options(segmentMaxBytes: 4000))
        for start in stride(from: 0, to: 400, by: 10) {
            try log.appendAndWait(contentsOf: (start..<start + 10).map {
                Array("{\"device\":\"gw-1/temp-\($0 % 7)\",\"temperature\":21.\($0 % 10),\"status\":\"ok\"}".utf8)
            })
        }
        try log.writeCheckpoint([1, 2, 3], upToOffset: 100)
        try log.cursor(named: "bridge").acknowledge(upTo: 49)
        log.close()

        let inspection = try LogInspector.inspect(directory: dir.path)
        XCTAssertGreaterThan(inspection.segments.count, 1)
        XCTAssertEqual(inspection.segments.reduce(0) { $0 + $1.records }, 400)
        XCTAssertEqual(inspection.segments.last?.nextOffset, 400)
        XCTAssertTrue(inspection.segments.allSatisfy { $0.damage == nil && $0.compressionRatio > 1.5 })
        XCTAssertEqual(inspection.checkpoints.map(\.upToOffset), [100])
        XCTAssertEqual(inspection.cursors.map(\.name), ["bridge"])
        XCTAssertEqual(inspection.cursors.map(\.nextOffset), [50])
        XCTAssertEqual(try LogInspector.verify(directory: dir.path), [])
    }

    func testVerifyNamesSegmentAndPosition() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        var image = SegmentImage.make(batches: 3, recordsPerBatch: 4)
        image.bytes[image.batchStarts[1] + 50] ^= 0x20
        try dir.write(image.bytes, to: "00000000000000000000.log")
        let problems = try LogInspector.verify(directory: dir.path)
        XCTAssertEqual(problems.first, .init(
            file: "00000000000000000000.log", position: Int64(image.batchStarts[1]), reason: problems.first!.reason))
        XCTAssertTrue(problems.first!.reason.contains("CRC"))
        // Read-only: nothing was changed.
        XCTAssertEqual(try dir.read("00000000000000000000.log"), image.bytes)
    }

    func testVerifyFlagsTornTailAndDamagedCheckpoint() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let image = SegmentImage.make(batches: 2, recordsPerBatch: 2)
        try dir.write(Array(image.bytes.dropLast(3)), to: "00000000000000000000.log")
        try dir.write([1, 2, 3], to: "checkpoint-00000000000000000001.snap")
        let problems = try LogInspector.verify(directory: dir.path)
        XCTAssertTrue(problems.contains { $0.reason.contains("torn tail") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.file == "checkpoint-00000000000000000001.snap" }, "\(problems)")
    }
}
