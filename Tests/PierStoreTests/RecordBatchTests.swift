import NIOCore
import XCTest

@testable import PierStore

final class RecordBatchTests: XCTestCase {
    private func roundTrip(_ records: [[UInt8]], base: UInt64 = 42) throws -> RecordBatch {
        let bytes = RecordBatch.encode(records, baseOffset: base, firstTimestamp: 1000, lastTimestamp: 2000)
        let batch = try RecordBatch.decode(bytes)
        XCTAssertEqual(batch.header.baseOffset, base)
        XCTAssertEqual(batch.header.recordCount, UInt32(records.count))
        XCTAssertEqual(batch.header.firstTimestamp, 1000)
        XCTAssertEqual(batch.header.lastTimestamp, 2000)
        XCTAssertEqual(batch.header.totalSize, bytes.count)
        XCTAssertEqual(batch.records.map { Array($0.readableBytesView) }, records)
        return batch
    }

    func testEmptyRecord() throws {
        _ = try roundTrip([[]])
        _ = try roundTrip([[], [1], []])
    }

    func testNoRecords() throws {
        let batch = try roundTrip([])
        XCTAssertEqual(batch.header.uncompressedSize, 0)
    }

    func testManyRecordsCompress() throws {
        let records = (0..<5000).map { Array("{\"device\":\"gw-1/temp-\($0 % 20)\",\"temperature\":21.\($0 % 10)}".utf8) }
        let batch = try roundTrip(records)
        XCTAssertTrue(batch.header.isCompressed)
        XCTAssertLessThan(batch.header.compressedSize * 3, batch.header.uncompressedSize)
    }

    func testIncompressibleIsStoredRaw() throws {
        var rng = SystemRandomNumberGenerator()
        let records = (0..<20).map { _ in (0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let batch = try roundTrip(records)
        XCTAssertFalse(batch.header.isCompressed)
        XCTAssertEqual(batch.header.compressedSize, batch.header.uncompressedSize)
    }

    func testLargeRecordsAndVarintBoundaries() throws {
        _ = try roundTrip([127, 128, 16383, 16384, 300_000].map { [UInt8](repeating: 7, count: $0) })
    }

    func testDecodeFromByteBufferConsumesOneBatch() throws {
        var buffer = ByteBuffer(bytes: RecordBatch.encode([[1, 2]], baseOffset: 0) + RecordBatch.encode([[3]], baseOffset: 1))
        XCTAssertEqual(try RecordBatch.decode(&buffer).header.baseOffset, 0)
        XCTAssertEqual(try RecordBatch.decode(&buffer).header.baseOffset, 1)
        XCTAssertEqual(buffer.readableBytes, 0)
        XCTAssertThrowsError(try RecordBatch.decode(&buffer)) { XCTAssertEqual($0 as? RecordBatchError, .shortHeader(available: 0)) }
    }

    func testEveryByteFlipIsDetected() {
        for records in [[record(1), record(2), []], [[UInt8](repeating: 0x41, count: 300)]] {
            let good = RecordBatch.encode(records, baseOffset: 9)
            for i in 0..<good.count {
                for mask: UInt8 in [0x01, 0x80, 0xFF] {
                    var bad = good
                    bad[i] ^= mask
                    XCTAssertThrowsError(try RecordBatch.decode(bad), "flip \(mask) at byte \(i) went unnoticed")
                }
            }
        }
    }

    func testEveryTruncationIsAnErrorNotACrash() {
        let good = RecordBatch.encode([record(1), record(2)], baseOffset: 0)
        for n in 0..<good.count {
            XCTAssertThrowsError(try RecordBatch.decode(Array(good[..<n]))) { error in
                let e = error as? RecordBatchError
                if n < RecordBatchHeader.size {
                    XCTAssertEqual(e, .shortHeader(available: n))
                } else {
                    XCTAssertEqual(e, .truncated(needed: good.count, available: n))
                }
            }
        }
    }

    func testTypedErrors() {
        var bytes = RecordBatch.encode([record(1)], baseOffset: 0)
        var wrongMagic = bytes
        wrongMagic[0] = 0x51
        XCTAssertThrowsError(try RecordBatch.decode(wrongMagic)) { XCTAssertEqual($0 as? RecordBatchError, .badMagic) }
        bytes[8] = 9
        XCTAssertThrowsError(try RecordBatch.decode(bytes)) { XCTAssertEqual($0 as? RecordBatchError, .unsupportedVersion(9)) }
    }

    func testForgedHeadersWithValidCRCAreRejected() {
        // Re-sign a modified header so the CRC passes and the deeper checks must catch it.
        func forge(_ records: [[UInt8]], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var b = RecordBatch.encode(records, baseOffset: 0)
            edit(&b)
            let crc = CRC32C.checksum(Array(b[8...]))
            b.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self) }
            return b
        }
        let compressible = [[UInt8]](repeating: [UInt8](repeating: 0x61, count: 100), count: 10)
        XCTAssertThrowsError(try RecordBatch.decode(forge([record(1), record(2)]) { $0[20] = 3 })) {
            XCTAssertEqual($0 as? RecordBatchError, .recordCountMismatch(header: 3, found: 2))
        }
        XCTAssertThrowsError(try RecordBatch.decode(forge(compressible) { b in
            for i in 48..<b.count { b[i] = 0xFF }
        })) { XCTAssertEqual($0 as? RecordBatchError, .badCompressedBlock) }
        XCTAssertThrowsError(try RecordBatch.decode(forge(compressible) { $0[40] &+= 1 })) {
            XCTAssertEqual($0 as? RecordBatchError, .badCompressedBlock)
        }
        XCTAssertThrowsError(try RecordBatch.decode(forge([record(1)]) { $0[9] = 0x80 })) {
            guard case .badHeader = $0 as? RecordBatchError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try RecordBatch.decode(forge(compressible) { b in
            b.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(1 << 30).littleEndian, toByteOffset: 40, as: UInt32.self) }
        })) { guard case .badHeader = $0 as? RecordBatchError else { return XCTFail("\($0)") } }
    }

    func testRandomBytesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= 4 && Bool.random(using: &rng) { bytes.replaceSubrange(0..<4, with: Array("PIER".utf8)) }
            _ = try? RecordBatch.decode(bytes)
        }
    }
}
