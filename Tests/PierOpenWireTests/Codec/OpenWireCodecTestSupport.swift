import Foundation
import NIOCore
import XCTest
@testable import PierOpenWire

/// Helpers shared by the codec tests.
enum OpenWireCodecTestSupport {
    /// What a Java client and broker negotiate with `wireFormat.tightEncodingEnabled=false` and the cache
    /// off: the options every captured fixture after the WireFormatInfo was written with.
    static let negotiated = OpenWireFormatOptions(stackTraceEnabled: true)

    /// One command as a frame, size prefix included.
    static func frame(_ command: OpenWireCommand, options: OpenWireFormatOptions = negotiated,
                      file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
        var buffer = ByteBuffer()
        do {
            try command.encode(into: &buffer, options: options)
        } catch {
            XCTFail("encode failed: \(error)", file: file, line: line)
        }
        return Array(buffer.readableBytesView)
    }

    /// Decodes exactly one frame that must be all of `bytes`.
    static func decode(_ bytes: [UInt8], options: OpenWireFormatOptions = negotiated) throws(OpenWireDecodeError) -> OpenWireCommand? {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = OpenWireFrameDecoder(options: options)
        let command = try decoder.next(&buffer)
        if command != nil && buffer.readableBytes != 0 { XCTFail("\(buffer.readableBytes) bytes left over") }
        return command
    }

    /// The error decoding `bytes` as one frame raises; fails the test when there is none.
    static func decodeError(_ bytes: [UInt8], options: OpenWireFormatOptions = negotiated,
                            file: StaticString = #filePath, line: UInt = #line) -> OpenWireDecodeError? {
        do {
            let command = try decode(bytes, options: options)
            XCTFail("expected an error, got \(String(describing: command))", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// A frame around a hand-made body (type byte first).
    static func framed(_ body: [UInt8]) -> [UInt8] {
        be32(Int32(body.count)) + body
    }

    static func be16(_ v: Int16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func be32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func be64(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    /// A nullable string as `looseMarshalString` writes it (ASCII only).
    static func str(_ s: String?) -> [UInt8] {
        guard let s else { return [0] }
        return [1] + be16(Int16(s.utf8.count)) + Array(s.utf8)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// The committed fixture `name` (file name without `.bin`), decoded with the options it was captured with.
    static func fixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> OpenWireCommand {
        let bytes = try fixtureBytes(name)
        let options = bytes[4] == 1 ? OpenWireFormatOptions() : negotiated
        return try XCTUnwrap(try decode(bytes, options: options), file: file, line: line)
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtureDirectory.appendingPathComponent(name + ".bin")))
    }

    /// The message of a fixture holding a message or a dispatch of one.
    static func fixtureMessage(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> OpenWireMessage {
        switch try fixture(name, file: file, line: line) {
        case .message(let m): return m
        case .messageDispatch(let d): return try XCTUnwrap(d.message, file: file, line: line)
        case let other: throw XCTSkip("\(name) holds \(other.typeID)")
        }
    }

    /// Where the committed fixtures are.
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
}

/// Small deterministic generator, so a failing random case can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
