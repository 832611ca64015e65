import NIOCore
import XCTest
@testable import PierOpenWire

/// Java's modified UTF-8: what `DataOutput.writeUTF` writes and `DataInput.readUTF` accepts.
final class OpenWireModifiedUTF8Tests: XCTestCase {
    private static func encode(_ s: String) -> [UInt8] {
        var buffer = ByteBuffer()
        OpenWireModifiedUTF8.write(s, length: OpenWireModifiedUTF8.encodedLength(s), into: &buffer)
        return Array(buffer.readableBytesView)
    }

    private static func decode(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { OpenWireModifiedUTF8.decode($0) }
    }

    func testEncodingsJavaWrites() {
        XCTAssertEqual(Self.encode("abc"), [0x61, 0x62, 0x63])
        XCTAssertEqual(Self.encode("\u{0}"), [0xC0, 0x80], "NUL takes two bytes")
        XCTAssertEqual(Self.encode("\u{E9}"), [0xC3, 0xA9])
        XCTAssertEqual(Self.encode("\u{2713}"), [0xE2, 0x9C, 0x93])
        XCTAssertEqual(Self.encode("\u{1D11E}"), [0xED, 0xA0, 0xB4, 0xED, 0xB4, 0x9E], "a surrogate pair, 3 bytes each")
        XCTAssertEqual(OpenWireModifiedUTF8.encodedLength("a\u{0}\u{E9}\u{2713}\u{1D11E}"), 1 + 2 + 2 + 3 + 6)
        for s in ["", "abc", "\u{0}", "h\u{E9}llo \u{2713} \u{1D11E}", "\u{FFFF}\u{10FFFF}", String(repeating: "\u{7FF}", count: 9)] {
            XCTAssertEqual(Self.decode(Self.encode(s)), s)
        }
    }

    func testLenientLikeJava() {
        // readUTF takes a raw 0x00 and overlong forms; encoding then writes the canonical form.
        XCTAssertEqual(Self.decode([0x00, 0x41]), "\u{0}A")
        XCTAssertEqual(Self.decode([0xC1, 0x81]), "A")
        XCTAssertEqual(Self.decode([0xE0, 0x81, 0x81]), "A")
        // A lone surrogate is legal in Java; Swift strings cannot hold it.
        XCTAssertEqual(Self.decode([0xED, 0xA0, 0x80]), "\u{FFFD}")
        XCTAssertEqual(Self.decode([0xED, 0xB4, 0x9E, 0x41]), "\u{FFFD}A")
    }

    func testMalformed() {
        XCTAssertNil(Self.decode([0x80]), "continuation as lead")
        XCTAssertNil(Self.decode([0xBF, 0x41]))
        XCTAssertNil(Self.decode([0xF0, 0x9D, 0x84, 0x9E]), "4-byte UTF-8 is not modified UTF-8")
        XCTAssertNil(Self.decode([0xF8]))
        XCTAssertNil(Self.decode([0xC3]), "cut 2-byte sequence")
        XCTAssertNil(Self.decode([0xE2, 0x9C]), "cut 3-byte sequence")
        XCTAssertNil(Self.decode([0xC3, 0x41]), "missing continuation")
        XCTAssertNil(Self.decode([0xE2, 0x41, 0x93]))
    }

    /// A `writeUTF` string may have 65535 bytes, not one more; ActiveMQ's loose marshaller fails the
    /// send the same way (`UTFDataFormatException`).
    func testLengthLimit() throws {
        let longest = String(repeating: "a", count: 65535)
        let command = OpenWireCommand.controlCommand(OpenWireControlCommand(command: longest))
        var buffer = ByteBuffer()
        try command.encode(into: &buffer)
        guard case .controlCommand(let decoded)? = try OpenWireCommand.decode(from: &buffer) else { return XCTFail() }
        XCTAssertEqual(decoded.command, longest)

        for tooLong in [longest + "a", String(repeating: "\u{E9}", count: 32768), String(repeating: "\u{0}", count: 40000)] {
            var out = ByteBuffer()
            XCTAssertThrowsError(try OpenWireCommand.controlCommand(OpenWireControlCommand(command: tooLong)).encode(into: &out)) {
                let error = $0 as? OpenWireEncodeError
                XCTAssertEqual(error?.reason, .stringTooLong(utf8Length: OpenWireModifiedUTF8.encodedLength(tooLong)))
                XCTAssertEqual(error?.field, "ControlCommand.command")
            }
            XCTAssertEqual(out.readableBytes, 0)
        }
    }
}
