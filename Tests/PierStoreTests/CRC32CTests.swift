import XCTest

@testable import PierStore

final class CRC32CTests: XCTestCase {
    func testCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
    }

    func testKnownVectors() {
        // RFC 3720 (iSCSI) appendix B.4.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testIncrementalEqualsWholeAtEveryAlignmentAndSplit() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 3, 7, 8, 9, 63, 150, 299, 300] {
            let a = CRC32C.checksum(Array(data[..<split]))
            XCTAssertEqual(CRC32C.checksum(Array(data[split...]), continuing: a), whole, "split \(split)")
        }
        // Unaligned starts exercise the byte loop in front of the 8-byte loop.
        for start in 0..<9 {
            let slice = Array(data[start...])
            let expected = slice.reduce(UInt32(0)) { crc, b in CRC32C.checksum([b], continuing: crc) }
            XCTAssertEqual(CRC32C.checksum(slice), expected)
        }
    }
}
