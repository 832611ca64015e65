import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPValueCodecTests: XCTestCase {
    private func encode(_ value: AMQPValue) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeAMQPValue(value)
        return Array(buffer.readableBytesView)
    }

    private func decode(_ bytes: [UInt8]) throws -> AMQPValue {
        var buffer = ByteBuffer(bytes: bytes)
        let value = try buffer.readAMQPValue()
        XCTAssertEqual(buffer.readableBytes, 0, "trailing bytes")
        return value
    }

    private func assertRoundTrip(_ value: AMQPValue, _ expected: [UInt8]? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = encode(value)
        if let expected { XCTAssertEqual(bytes, expected, "encoding of \(value)", file: file, line: line) }
        XCTAssertEqual(try decode(bytes), value, file: file, line: line)
    }

    private func assertError(_ bytes: [UInt8], _ expected: AMQPDecodeError, file: StaticString = #filePath, line: UInt = #line) {
        var buffer = ByteBuffer(bytes: bytes)
        XCTAssertThrowsError(try buffer.readAMQPValue(), file: file, line: line) { error in
            XCTAssertEqual(error as? AMQPDecodeError, expected, file: file, line: line)
        }
        XCTAssertEqual(buffer.readerIndex, 0, "reader index must not move on failure", file: file, line: line)
    }

    // MARK: - Fixed width, with the compact encodings at their boundaries

    /// Found by PierAMQPFuzz: an array of described elements whose descriptor is a NaN double decoded,
    /// but re-encoding it trapped ("array elements with different descriptors"), since NaN != NaN.
    func testArrayWithANaNDescriptorReEncodes() throws {
        let wire: [UInt8] = [0xE0, 0x0C, 0x01, 0x00, 0x82, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0, 0x40]
        let value = try decode(wire)
        guard case .array(let elements) = value, case .described(.double(let d), .null)? = elements.first else {
            return XCTFail("decoded \(value)")
        }
        XCTAssertTrue(d.isNaN)
        XCTAssertEqual(encode(value), wire)
        // Two elements under one float NaN descriptor.
        let two: [UInt8] = [0xE0, 0x08, 0x02, 0x00, 0x72, 0x7F, 0xC0, 0, 0, 0x40]
        XCTAssertEqual(encode(try decode(two)), two)
    }

    func testNullAndBoolean() {
        assertRoundTrip(.null, [0x40])
        assertRoundTrip(.boolean(true), [0x41])
        assertRoundTrip(.boolean(false), [0x42])
        XCTAssertEqual(try decode([0x56, 0x01]), .boolean(true))
        XCTAssertEqual(try decode([0x56, 0x00]), .boolean(false))
    }

    func testUnsignedIntegers() {
        assertRoundTrip(.ubyte(0), [0x50, 0x00])
        assertRoundTrip(.ubyte(255), [0x50, 0xFF])
        assertRoundTrip(.ushort(0), [0x60, 0, 0])
        assertRoundTrip(.ushort(65535), [0x60, 0xFF, 0xFF])
        assertRoundTrip(.uint(0), [0x43])
        assertRoundTrip(.uint(1), [0x52, 1])
        assertRoundTrip(.uint(255), [0x52, 0xFF])
        assertRoundTrip(.uint(256), [0x70, 0, 0, 1, 0])
        assertRoundTrip(.uint(.max), [0x70, 0xFF, 0xFF, 0xFF, 0xFF])
        assertRoundTrip(.ulong(0), [0x44])
        assertRoundTrip(.ulong(255), [0x53, 0xFF])
        assertRoundTrip(.ulong(256), [0x80, 0, 0, 0, 0, 0, 0, 1, 0])
        assertRoundTrip(.ulong(.max), [0x80] + Array(repeating: 0xFF, count: 8))
        // Wide encodings of small values decode to the same value.
        XCTAssertEqual(try decode([0x70, 0, 0, 0, 5]), .uint(5))
        XCTAssertEqual(try decode([0x80, 0, 0, 0, 0, 0, 0, 0, 0]), .ulong(0))
    }

    func testSignedIntegers() {
        assertRoundTrip(.byte(-128), [0x51, 0x80])
        assertRoundTrip(.short(-2), [0x61, 0xFF, 0xFE])
        assertRoundTrip(.int(-128), [0x54, 0x80])
        assertRoundTrip(.int(127), [0x54, 0x7F])
        assertRoundTrip(.int(128), [0x71, 0, 0, 0, 0x80])
        assertRoundTrip(.int(-129), [0x71, 0xFF, 0xFF, 0xFF, 0x7F])
        assertRoundTrip(.int(.min))
        assertRoundTrip(.long(-1), [0x55, 0xFF])
        assertRoundTrip(.long(128), [0x81, 0, 0, 0, 0, 0, 0, 0, 0x80])
        assertRoundTrip(.long(.max))
    }

    func testFloatingPointDecimalCharTimestampUUID() {
        assertRoundTrip(.float(1.5), [0x72, 0x3F, 0xC0, 0, 0])
        assertRoundTrip(.double(-2.25))
        assertRoundTrip(.double(.infinity))
        assertRoundTrip(.decimal32(0x2200_0001), [0x74, 0x22, 0, 0, 1])
        assertRoundTrip(.decimal64(0x2238_0000_0000_0001))
        assertRoundTrip(.decimal128(AMQPDecimal128(high: 0x2208_0000_0000_0000, low: 42)))
        assertRoundTrip(.char("€"), [0x73, 0, 0, 0x20, 0xAC])
        assertRoundTrip(.char("😀"))
        assertRoundTrip(.timestamp(1_700_000_000_123), [0x83, 0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B])
        assertRoundTrip(.timestamp(-1))
        let uuid = AMQPUUID(high: 0x0011_2233_4455_6677, low: 0x8899_AABB_CCDD_EEFF)
        assertRoundTrip(.uuid(uuid), [0x98, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        XCTAssertEqual(uuid.description, "00112233-4455-6677-8899-aabbccddeeff")
    }

    // MARK: - Variable width

    func testBinaryStringSymbolPickSmallestEncoding() {
        assertRoundTrip(.binary([]), [0xA0, 0])
        assertRoundTrip(.binary([1, 2, 3]), [0xA0, 3, 1, 2, 3])
        assertRoundTrip(.binary(Array(repeating: 7, count: 255)))
        XCTAssertEqual(encode(.binary(Array(repeating: 7, count: 255))).prefix(2), [0xA0, 0xFF])
        XCTAssertEqual(encode(.binary(Array(repeating: 7, count: 256))).prefix(5), [0xB0, 0, 0, 1, 0])
        assertRoundTrip(.binary(Array(repeating: 7, count: 256)))
        assertRoundTrip(.string(""), [0xA1, 0])
        assertRoundTrip(.string("héllo"), [0xA1, 6, 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F])
        let long = String(repeating: "x", count: 300)
        XCTAssertEqual(encode(.string(long)).prefix(5), [0xB1, 0, 0, 0x01, 0x2C])
        assertRoundTrip(.string(long))
        assertRoundTrip(.symbol("amqp:accepted:list"))
        XCTAssertEqual(encode(.symbol("a")), [0xA3, 1, 0x61])
        XCTAssertEqual(encode(.symbol(long)).first, 0xB3)
        assertRoundTrip(.symbol(long))
    }

    // MARK: - Compounds

    func testLists() {
        assertRoundTrip(.list([]), [0x45])
        assertRoundTrip(.list([.uint(1), .null]), [0xC0, 4, 2, 0x52, 1, 0x40])
        XCTAssertEqual(try decode([0xC0, 1, 0]), .list([]))
        XCTAssertEqual(try decode([0xD0, 0, 0, 0, 4, 0, 0, 0, 0]), .list([]))
        // 255 bytes of body (count byte + 254) still fit list8; one more widens to list32.
        let fits = AMQPValue.list([.binary(Array(repeating: 1, count: 252))])
        XCTAssertEqual(encode(fits).prefix(3), [0xC0, 255, 1])
        assertRoundTrip(fits)
        let widened = AMQPValue.list([.binary(Array(repeating: 1, count: 253))])
        XCTAssertEqual(encode(widened).prefix(9), [0xD0, 0, 0, 1, 3, 0, 0, 0, 1])
        assertRoundTrip(widened)
        let many = AMQPValue.list(Array(repeating: .null, count: 300))
        XCTAssertEqual(encode(many).prefix(9), [0xD0, 0, 0, 0x01, 0x30, 0, 0, 0x01, 0x2C])
        assertRoundTrip(many)
        assertRoundTrip(.list([.list([.list([.string("deep")])]), .map(["k": .long(1)])]))
    }

    func testMaps() {
        assertRoundTrip(.map([:]), [0xC1, 1, 0])
        assertRoundTrip(.map(["a": .uint(1)]), [0xC1, 6, 2, 0xA1, 1, 0x61, 0x52, 1])
        var big = AMQPMap()
        for i in 0..<100 { big[.string("key-\(i)")] = .long(Int64(i) * 1_000_000) }
        XCTAssertEqual(encode(.map(big)).first, 0xD1)
        assertRoundTrip(.map(big))
        // Keys of any type, order preserved.
        assertRoundTrip(.map([.ulong(7): .null, .symbol("x-opt"): .list([]), .double(1.5): .boolean(true)]))
        XCTAssertEqual(big[.string("key-3")], .long(3_000_000))
    }

    func testArrays() {
        assertRoundTrip(.array([.symbol("a"), .symbol("bc")]), [0xE0, 7, 2, 0xA3, 1, 0x61, 2, 0x62, 0x63])
        assertRoundTrip(.array([]), [0xE0, 2, 0, 0x40])
        // Element constructor wide enough for all: one value > 255 widens every uint to 0x70.
        XCTAssertEqual(encode(.array([.uint(1), .uint(300)])), [0xE0, 10, 2, 0x70, 0, 0, 0, 1, 0, 0, 1, 0x2C])
        assertRoundTrip(.array([.uint(1), .uint(300)]))
        XCTAssertEqual(encode(.array([.int(-1), .int(2)])), [0xE0, 4, 2, 0x54, 0xFF, 2])
        assertRoundTrip(.array([.boolean(true), .boolean(false)]), [0xE0, 4, 2, 0x56, 1, 0])
        assertRoundTrip(.array([.string("x"), .string(String(repeating: "y", count: 300))]))
        assertRoundTrip(.array([.list([.uint(1)]), .list([])]))
        assertRoundTrip(.array([.map(["a": .null])]))
        assertRoundTrip(.array([.array([.ubyte(1)]), .array([.ubyte(2), .ubyte(3)])]))
        assertRoundTrip(.array([.uuid(AMQPUUID(high: 1, low: 2)), .uuid(.random())]))
        assertRoundTrip(.array(Array(repeating: .long(1 << 40), count: 40)))
        // Described elements share one descriptor in the constructor.
        let described = AMQPValue.array([.described(descriptor: .ulong(0x24), value: .list([])),
                                         .described(descriptor: .ulong(0x24), value: .list([.uint(1)]))])
        XCTAssertEqual(encode(described).prefix(6), [0xE0, 23, 2, 0x00, 0x53, 0x24])
        assertRoundTrip(described)
        // Zero-width element constructors are legal on the wire.
        XCTAssertEqual(try decode([0xE0, 2, 3, 0x40]), .array([.null, .null, .null]))
        XCTAssertEqual(try decode([0xE0, 2, 2, 0x41]), .array([.boolean(true), .boolean(true)]))
        XCTAssertEqual(try decode([0xE0, 2, 2, 0x43]), .array([.uint(0), .uint(0)]))
    }

    func testDescribedAndNesting() {
        assertRoundTrip(.described(descriptor: .ulong(0x75), value: .binary([1])), [0x00, 0x53, 0x75, 0xA0, 1, 1])
        assertRoundTrip(.described(descriptor: .symbol("com.example:x"), value: .string("y")))
        var value = AMQPValue.null
        for _ in 0..<60 { value = .list([value]) }
        assertRoundTrip(value)
    }

    // MARK: - Malformed input: typed errors, never a crash

    func testTruncatedFixedWidth() {
        assertError([], .truncated(needed: 1, available: 0))
        assertError([0x70, 0, 0], .truncated(needed: 4, available: 2))
        assertError([0x80, 1], .truncated(needed: 8, available: 1))
        assertError([0x98, 1, 2, 3], .truncated(needed: 16, available: 3))
        assertError([0x50], .truncated(needed: 1, available: 0))
        assertError([0x00, 0x53], .truncated(needed: 1, available: 0))
    }

    func testSizeBeyondBuffer() {
        assertError([0xA0, 5, 1, 2], .sizeExceedsBuffer(declared: 5, available: 2))
        assertError([0xB1, 0xFF, 0xFF, 0xFF, 0xFF, 0x61], .sizeExceedsBuffer(declared: 0xFFFF_FFFF, available: 1))
        assertError([0xC0, 10, 1, 0x40], .sizeExceedsBuffer(declared: 10, available: 2))
        assertError([0xD1, 0, 0, 1, 0, 0], .sizeExceedsBuffer(declared: 256, available: 1))
    }

    func testCountAndSizeMismatches() {
        // A list claiming 200 elements in 3 bytes: refused before allocating anything.
        assertError([0xC0, 3, 200, 0x40, 0x40], .countExceedsSize(count: 200, size: 3))
        assertError([0xD0, 0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x40], .countExceedsSize(count: Int(UInt32.max), size: 5))
        // Elements end before the declared size.
        assertError([0xC0, 3, 1, 0x40, 0x40], .sizeMismatch(declared: 3, consumed: 2))
        // Elements run past the declared size.
        assertError([0xC0, 2, 1, 0x52, 1], .truncated(needed: 1, available: 0))
        assertError([0xE0, 3, 0xFF, 0x52, 1], .countExceedsSize(count: 255, size: 3))
        assertError([0xE0, 3, 1, 0x40, 0x40], .sizeMismatch(declared: 3, consumed: 2))
        assertError([0xF0, 0, 0, 0, 5, 0x7F, 0xFF, 0xFF, 0xFF, 0x40], .countExceedsSize(count: Int(Int32.max), size: 5))
    }

    func testOddMapCount() {
        assertError([0xC1, 3, 1, 0x40, 0x40], .oddMapElementCount(1))
        assertError([0xC1, 4, 3, 0x40, 0x40, 0x40], .oddMapElementCount(3))
    }

    func testBadText() {
        assertError([0xA1, 2, 0xC3, 0x28], .invalidUTF8)
        assertError([0xA1, 1, 0xFF], .invalidUTF8)
        assertError([0xA3, 2, 0x61, 0xC3], .invalidSymbol)
        assertError([0x73, 0, 0, 0xD8, 0x00], .invalidChar(0xD800))
        assertError([0x73, 0, 0x11, 0, 0], .invalidChar(0x11_0000))
        assertError([0x56, 2], .invalidBoolean(2))
    }

    func testUnknownFormatCodes() {
        assertError([0x01], .unknownFormatCode(0x01))
        assertError([0xFF], .unknownFormatCode(0xFF))
        assertError([0xC0, 2, 1, 0x99], .unknownFormatCode(0x99))
        assertError([0xE0, 3, 1, 0x2F, 0], .unknownFormatCode(0x2F))
    }

    func testNestingTooDeep() {
        var deep = AMQPValue.null
        for _ in 0..<70 { deep = .list([deep]) }
        var buffer = ByteBuffer(bytes: encode(deep))
        XCTAssertThrowsError(try buffer.readAMQPValue()) { XCTAssertEqual($0 as? AMQPDecodeError, .nestingTooDeep(limit: 64)) }
        assertError(Array(repeating: 0x00, count: 200), .nestingTooDeep(limit: 64))
        assertError(Array(repeating: 0xE0, count: 1) + [3, 1, 0xE0] + Array(repeating: 0, count: 4), .truncated(needed: 1, available: 0))
    }

    func testArrayElementConstructorMismatch() {
        // A described element constructor whose inner constructor is another descriptor.
        assertError([0xE0, 5, 1, 0x00, 0x53, 0x24, 0x00], .invalidArrayElementConstructor(0x00))
        // An element that does not fit its constructor runs off the end.
        assertError([0xE0, 4, 2, 0x70, 0, 1], .truncated(needed: 4, available: 2))
        // More zero-width elements than the cap.
        assertError([0xF0, 0, 0, 0, 5, 0, 0x10, 0, 1, 0x40], .countExceedsSize(count: 0x10_0001, size: 5))
    }
}
