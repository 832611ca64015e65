import XCTest
@testable import PierOpenWire

/// zlib streams made by CPython's zlib (the same library behind `java.util.zip`), one per deflate block
/// type, the ways a stream can be damaged, and the output bound zlib does not give by itself. Real Java-compressed bodies are in OpenWireMessageBodyTests.
final class OpenWireInflaterTests: XCTestCase {
    private static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let next = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<next], radix: 16)!)
            i = next
        }
        return out
    }

    private static func inflate(_ bytes: [UInt8], limit: Int = 1 << 20) -> [UInt8]? {
        if case .success(let out) = OpenWireInflater.inflate(bytes, limit: limit) { return out }
        return nil
    }

    private static let stored = bytes("7801010b00f4ff68656c6c6f2068656c6c6f19910449")
    private static let fixed = bytes("78da4b4c4a4e444500417c06e5")
    private static let empty = bytes("78da030000000001")
    private static let dynamic = bytes(
        "78da3d924b92c2300c44af64f92bab4f138a6c480145365039fd48b23dde2426a2f5d4ea201b486e3744d9f71d491e7a90e5630745"
        + "2e54390e34f9fd7e6079ea4197bb1d50902f88e43c4151deef3728c94b0f28dbd57e28a21fab7cb5b089ff698a503749158d410e4492"
        + "eb428cd6177152c46c4c4a158b2860956d436c0aab1796f1a57be90329c807c9555254e203297903a4ec0d9f4845ee48ce929a429f48"
        + "ec9848ddb15fc841dec83e518e5af8454e3e2cf252c9457ec86e4a6edaee4266770b79b194203b8abb5aa2426f28c9a8f5ba262a45b4"
        + "ae8a793c540a1bf581b27ca9419ea8a4ed51074b4d467da22e776b91176a157b1d1355b64a2d5d3b6aa6d24835d1862f2d59bf0b6d2d"
        + "b9194bab4a8636dc6d6cd41b5a77ec1bd82662d2f9c063473c55383bf601365fb8aa4be0b1699e2cdc1dfb4437773ba9d7e8232f7d4e"
        + "d4b3977ed16d47dd55fac85c9fbef4ee0d2f4d9dad9a82d35018b9a5301da6909d5d531d2c35147c300acd96a3cfb92c0aff7a640124"
        + "728f4883ece9a4b977a2854623cbe47693a6d9834e3342446bca3f81630400")
    private static let dynamicText = (0..<120).map { i in
        "\(i):" + String(repeating: Character(Unicode.Scalar(UInt8(97 + (i * i) % 26))), count: i % 5 + 1) + ";"
    }.joined()

    func testBlockTypes() {
        XCTAssertEqual(Self.inflate(Self.stored), Array("hello hello".utf8))
        XCTAssertEqual(Self.inflate(Self.fixed), Array("abcabcabcabcabcabc".utf8))
        XCTAssertEqual(Self.inflate(Self.empty), [])
        XCTAssertEqual(Self.dynamic[2] >> 1 & 3, 2, "the vector uses a dynamic block")
        XCTAssertEqual(Self.inflate(Self.dynamic).map { String(decoding: $0, as: UTF8.self) }, Self.dynamicText)
    }

    func testDamage() {
        // Not deflate (CM 7), a preset dictionary, a bad header check.
        XCTAssertNil(Self.inflate([0x77] + Self.fixed.dropFirst()))
        XCTAssertNil(Self.inflate([0x78, 0xBB] + Self.fixed.dropFirst(2)))
        XCTAssertNil(Self.inflate([0x78, 0xDB] + Self.fixed.dropFirst(2)))
        // Checksum, truncation at every length, a stored block whose length check fails.
        var badSum = Self.dynamic
        badSum[badSum.count - 1] ^= 1
        XCTAssertNil(Self.inflate(badSum))
        for cut in 0..<Self.dynamic.count { XCTAssertNil(Self.inflate(Array(Self.dynamic.prefix(cut))), "cut at \(cut)") }
        var badStored = Self.stored
        badStored[5] ^= 1
        XCTAssertNil(Self.inflate(badStored))
        // Block type 3 is reserved.
        XCTAssertNil(Self.inflate([0x78, 0x9C, 0x07, 0, 0, 0, 0, 0]))
        // A back-reference before the start: fixed block, length code 257 (3), distance code 0 (1), as the first symbol.
        XCTAssertNil(Self.inflate([0x78, 0x9C, 0x03, 0x02, 0, 0, 0, 0, 0, 0]))
    }

    func testOutputLimit() {
        guard case .failure(.tooLarge) = OpenWireInflater.inflate(Self.dynamic, limit: 100) else { return XCTFail() }
        guard case .failure(.tooLarge) = OpenWireInflater.inflate(Self.stored, limit: 10) else { return XCTFail() }
        XCTAssertEqual(Self.inflate(Self.stored, limit: 11)?.count, 11)
    }
}
