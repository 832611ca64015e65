import NIOCore
import XCTest
@testable import PierOpenWire

/// `MarshallingSupport`'s primitive map: every value type, the exact bytes Java writes, the string forms,
/// duplicate keys, and malformed maps.
final class OpenWirePrimitiveMapTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    private static func bytes(_ map: OpenWirePrimitiveMap) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try map.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    private static func decode(_ bytes: [UInt8], depth: Int = 32) throws -> OpenWirePrimitiveMap? {
        try OpenWirePrimitiveMap.decode(ByteBuffer(bytes: bytes), maxNestingDepth: depth)
    }

    static let everyType: OpenWirePrimitiveMap = [
        "null": .null, "bool": .bool(true), "byte": .byte(-1), "char": .char(0x2713), "short": .short(-2),
        "int": .int(Int32.min), "long": .long(Int64.max), "float": .float(-0.0), "double": .double(.pi),
        "nan": .double(.nan), "string": .string("h\u{E9}llo"), "bytes": .bytes([0, 255]),
        "map": .map(["inner": .list([.int(1), .string("two"), .null, .map([:]), .list([])])]),
        "list": .list([.bool(false), .bytes([]), .string("")]),
        "big": .string(String(repeating: "x", count: 9000)),
    ]

    func testEveryValueTypeRoundTrips() throws {
        let bytes = try Self.bytes(Self.everyType)
        let decoded = try XCTUnwrap(try Self.decode(bytes))
        XCTAssertEqual(decoded, Self.everyType)
        XCTAssertEqual(decoded.entries.map(\.key), Self.everyType.entries.map(\.key), "order is kept")
        XCTAssertEqual(try Self.bytes(decoded), bytes)
    }

    func testBytesAsJavaWritesThem() throws {
        XCTAssertEqual(try Self.bytes(["a": .int(1)]), S.be32(1) + [0, 1, 0x61] + [5] + S.be32(1))
        XCTAssertEqual(try Self.bytes(["b": .bool(true), "c": .null]), S.be32(2) + [0, 1, 0x62, 1, 1] + [0, 1, 0x63, 0])
        XCTAssertEqual(try Self.bytes(["d": .string("x")]), S.be32(1) + [0, 1, 0x64] + [9, 0, 1, 0x78])
        XCTAssertEqual(try Self.bytes(["e": .char(0x41)]), S.be32(1) + [0, 1, 0x65] + [3, 0, 0x41])
        XCTAssertEqual(try Self.bytes(["f": .float(1)]), S.be32(1) + [0, 1, 0x66] + [8, 0x3F, 0x80, 0, 0])
        XCTAssertEqual(try Self.bytes(["g": .double(1)]), S.be32(1) + [0, 1, 0x67] + [7, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try Self.bytes(["h": .bytes([7])]), S.be32(1) + [0, 1, 0x68] + [10] + S.be32(1) + [7])
        XCTAssertEqual(try Self.bytes(["i": .list([.byte(2)])]), S.be32(1) + [0, 1, 0x69] + [12] + S.be32(1) + [2, 2])
        XCTAssertEqual(try Self.bytes(["j": .map(["k": .short(3)])]),
                       S.be32(1) + [0, 1, 0x6A] + [11] + S.be32(1) + [0, 1, 0x6B, 4, 0, 3])
        var null = ByteBuffer()
        OpenWirePrimitiveMap.encodeNull(into: &null)
        XCTAssertNil(try Self.decode(Array(null.readableBytesView)))
        // Any negative count is a null map in Java; a nested null map is a null value.
        XCTAssertNil(try Self.decode(S.be32(-7)))
        XCTAssertEqual(try Self.decode(S.be32(1) + [0, 1, 0x6D, 11] + S.be32(-1)), ["m": .null])
    }

    /// Java switches to the 4-byte length form at 8191 UTF-16 units (`Short.MAX_VALUE / 4`); both forms read.
    func testStringForms() throws {
        let short = String(repeating: "s", count: 8190)
        let long = String(repeating: "s", count: 8191)
        XCTAssertEqual(try Self.bytes(["k": .string(short)])[7], 9)
        XCTAssertEqual(try Self.bytes(["k": .string(long)])[7], 13)
        // Units, not bytes: 8191 surrogate halves are 4096 characters.
        let surrogates = String(repeating: "\u{1D11E}", count: 4096)
        XCTAssertEqual(try Self.bytes(["k": .string(surrogates)])[7], 13)
        XCTAssertEqual(try Self.decode(S.be32(1) + [0, 1, 0x6B] + [13] + S.be32(2) + [0x6F, 0x6B]), ["k": .string("ok")])
        XCTAssertEqual(try Self.decode(S.be32(1) + [0, 1, 0x6B] + [13] + S.be32(70000) + [UInt8](repeating: 0x61, count: 70000)),
                       ["k": .string(String(repeating: "a", count: 70000))])
        // A key is always writeUTF: more than 65535 bytes cannot be sent.
        XCTAssertThrowsError(try Self.bytes([String(repeating: "k", count: 65536): .null])) {
            XCTAssertEqual(($0 as? OpenWireEncodeError)?.reason, .stringTooLong(utf8Length: 65536))
        }
    }

    func testDuplicateKeysAndSubscript() throws {
        let decoded = try XCTUnwrap(try Self.decode(S.be32(2) + [0, 1, 0x6B, 5] + S.be32(1) + [0, 1, 0x6B, 5] + S.be32(2)))
        XCTAssertEqual(decoded.count, 2, "both entries kept for an identical re-encoding")
        XCTAssertEqual(decoded["k"], .int(2), "the last wins, like HashMap.put")
        var map = decoded
        map["k"] = .int(3)
        XCTAssertEqual(map.entries, [.init(key: "k", value: .int(3))])
        map["n"] = .bool(true)
        XCTAssertEqual(map.entries.map(\.key), ["k", "n"])
        map["k"] = nil
        XCTAssertEqual(map.entries.map(\.key), ["n"])
        XCTAssertEqual(map.bool("n"), true)
        XCTAssertNil(map.bool("k"))
        let settings: OpenWirePrimitiveMap = ["i": .int(5), "l": .long(6), "s": .short(7), "b": .byte(8), "t": .string("x")]
        XCTAssertEqual(settings.integer("i"), 5)
        XCTAssertEqual(settings.integer("l"), 6)
        XCTAssertEqual(settings.integer("s"), 7)
        XCTAssertEqual(settings.integer("b"), 8)
        XCTAssertNil(settings.integer("t"))
        XCTAssertEqual(settings.string("t"), "x")
    }

    func testFloatsCompareByBits() {
        XCTAssertEqual(OpenWirePrimitive.double(.nan), .double(.nan))
        XCTAssertNotEqual(OpenWirePrimitive.float(0.0), .float(-0.0))
        XCTAssertNotEqual(OpenWirePrimitive.int(1), .long(1))
        XCTAssertEqual(Set([OpenWirePrimitive.double(.nan), .double(.nan)]).count, 1)
    }

    func testMalformedMaps() {
        let key: [UInt8] = [0, 1, 0x6B]
        let cases: [(String, [UInt8], OpenWireDecodeError.Reason, String)] = [
            ("count cut", [0, 0], .truncated(needed: 4, available: 2), "PrimitiveMap"),
            ("count beyond the bytes", S.be32(1000) + key, .lengthBeyondFrame(length: 1000, available: 3), "PrimitiveMap"),
            ("unknown type 14", S.be32(1) + key + [14], .unknownPrimitiveType(14), "PrimitiveMap.value"),
            ("unknown type 0xFF", S.be32(1) + key + [0xFF], .unknownPrimitiveType(255), "PrimitiveMap.value"),
            ("negative byte array", S.be32(1) + key + [10] + S.be32(-1), .negativeLength(-1), "PrimitiveMap.value"),
            ("byte array beyond", S.be32(1) + key + [10] + S.be32(9) + [1], .lengthBeyondFrame(length: 9, available: 1),
             "PrimitiveMap.value"),
            ("negative list count", S.be32(1) + key + [12] + S.be32(-1), .negativeLength(-1), "PrimitiveMap.value"),
            ("list count beyond", S.be32(1) + key + [12] + S.be32(5) + [0], .lengthBeyondFrame(length: 5, available: 1),
             "PrimitiveMap.value"),
            ("negative big string", S.be32(1) + key + [13] + S.be32(-1), .negativeLength(-1), "PrimitiveMap.value"),
            ("bad boolean", S.be32(1) + key + [1, 2], .invalidBoolean(2), "PrimitiveMap.value"),
            ("malformed key", S.be32(1) + [0, 1, 0x80, 0], .malformedString, "PrimitiveMap.key"),
            ("key beyond", S.be32(1) + [0, 9, 0x6B, 0], .lengthBeyondFrame(length: 9, available: 2), "PrimitiveMap.key"),
            ("long value cut", S.be32(1) + key + [6, 0, 0], .truncated(needed: 8, available: 2), "PrimitiveMap.value"),
            ("trailing bytes", S.be32(0) + [0], .trailingBytes(1), "PrimitiveMap.end"),
        ]
        for (name, bytes, reason, field) in cases {
            XCTAssertThrowsError(try Self.decode(bytes), name) { error in
                let error = error as? OpenWireDecodeError
                XCTAssertEqual(error?.reason, reason, name)
                XCTAssertEqual(error?.field, field, name)
                XCTAssertEqual(error?.path, ["PrimitiveMap"], name)
            }
        }
    }

    func testNestingLimit() throws {
        var value = OpenWirePrimitive.null
        for i in 0..<10 { value = i % 2 == 0 ? .list([value]) : .map(["m": value]) }
        let bytes = try Self.bytes(["v": value])
        XCTAssertNotNil(try Self.decode(bytes, depth: 10))
        XCTAssertThrowsError(try Self.decode(bytes, depth: 9)) {
            XCTAssertEqual(($0 as? OpenWireDecodeError)?.reason, .nestingTooDeep(limit: 9))
        }
        var buffer = ByteBuffer()
        XCTAssertThrowsError(try (["v": value] as OpenWirePrimitiveMap).encode(into: &buffer, maxNestingDepth: 9)) {
            XCTAssertEqual(($0 as? OpenWireEncodeError)?.reason, .nestingTooDeep(limit: 9))
        }
    }
}
