import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

private typealias S = MQTTCodecTestSupport
private typealias Context = MQTTPropertiesCodec.Context

final class MQTTPropertiesCodecTests: XCTestCase {
    private let contexts: [Context] = [.connect, .connack, .publish, .will, .ack, .subscribe, .suback, .unsubscribe,
                                       .unsuback, .disconnect, .auth]

    /// Wire bytes of one valid value for each property identifier, by its data type.
    private func sampleValue(_ id: UInt8) -> [UInt8] {
        switch id {
        case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A: return [0x01]
        case 0x02, 0x11, 0x18, 0x27: return [0x00, 0x00, 0x00, 0x05]
        case 0x13, 0x21, 0x22, 0x23: return [0x00, 0x05]
        case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F: return S.string("a")
        case 0x09, 0x16: return [0x00, 0x01, 0xAB]
        case 0x0B: return [0x05]
        case 0x26: return S.string("k") + S.string("v")
        default: fatalError("no sample for \(id)")
        }
    }

    private let allIDs: [UInt8] = [0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x18, 0x19,
                                   0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A]

    /// Spec 2.2.2.2, written out as a table rather than derived from the codec.
    private func specAllows(_ id: UInt8, in context: Context) -> Bool {
        let table: [Context: Set<UInt8>] = [
            .connect: [0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27],
            .connack: [0x11, 0x12, 0x13, 0x15, 0x16, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A],
            .publish: [0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26],
            .will: [0x01, 0x02, 0x03, 0x08, 0x09, 0x18, 0x26],
            .ack: [0x1F, 0x26], .suback: [0x1F, 0x26], .unsuback: [0x1F, 0x26],
            .subscribe: [0x0B, 0x26], .unsubscribe: [0x26],
            .disconnect: [0x11, 0x1C, 0x1F, 0x26],
            .auth: [0x15, 0x16, 0x1F, 0x26],
        ]
        return table[context]!.contains(id)
    }

    private func decode(_ properties: [UInt8], _ context: Context) throws(MQTTDecodeError) -> MQTTProperties {
        var buffer = ByteBuffer()
        buffer.writeMQTTVariableByteInteger(properties.count)
        buffer.writeBytes(properties)
        let result = try MQTTPropertiesCodec.decode(from: &buffer, context: context)
        XCTAssertEqual(buffer.readableBytes, 0)
        return result
    }

    private func assertError(_ properties: [UInt8], _ context: Context, _ kind: MQTTDecodeError.Kind,
                             file: StaticString = #filePath, line: UInt = #line) {
        do throws(MQTTDecodeError) {
            let p = try decode(properties, context)
            XCTFail("expected \(kind), got \(p)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        }
    }

    func testEveryPropertyIsAcceptedOrRejectedPerSpecTable() {
        XCTAssertEqual(allIDs.count, 27)
        for context in contexts {
            for id in allIDs {
                let bytes = [id] + sampleValue(id)
                if specAllows(id, in: context) {
                    XCTAssertNoThrow(try decode(bytes, context), "0x\(String(id, radix: 16)) in \(context)")
                } else {
                    assertError(bytes, context, .malformedPacket)
                }
            }
        }
    }

    func testUnknownIdentifiersAreMalformed() {
        for id: UInt8 in [0x00, 0x04, 0x05, 0x0A, 0x14, 0x1B, 0x20, 0x2B, 0x3F, 0x7F] {
            assertError([id, 0x00], .publish, .malformedPacket)
        }
        // A two-byte identifier (0x80 0x01 = 128) is unknown too.
        assertError([0x80, 0x01, 0x00], .publish, .malformedPacket)
    }

    func testDuplicatesOfSingleValuedPropertiesAreProtocolErrors() {
        for context in contexts {
            for id in allIDs where specAllows(id, in: context) {
                let once = [id] + sampleValue(id)
                let repeatable = id == 0x26 || (id == 0x0B && context == .publish)
                if repeatable {
                    XCTAssertNoThrow(try decode(once + once, context))
                } else {
                    assertError(once + once, context, .protocolError)
                }
            }
        }
    }

    func testZeroOneProperties() {
        for (id, context) in [(UInt8(0x01), Context.publish), (0x17, .connect), (0x19, .connect), (0x24, .connack),
                              (0x25, .connack), (0x28, .connack), (0x29, .connack), (0x2A, .connack)] {
            XCTAssertNoThrow(try decode([id, 0x00], context))
            XCTAssertNoThrow(try decode([id, 0x01], context))
            assertError([id, 0x02], context, .protocolError)
            assertError([id, 0xFF], context, .protocolError)
        }
    }

    func testZeroValuesThatAreProtocolErrors() {
        assertError([0x21, 0x00, 0x00], .connect, .protocolError)
        assertError([0x21, 0x00, 0x00], .connack, .protocolError)
        assertError([0x27, 0x00, 0x00, 0x00, 0x00], .connack, .protocolError)
        assertError([0x0B, 0x00], .subscribe, .protocolError)
    }

    func testTopicAliasZeroIsLeftToTheSession() throws {
        XCTAssertEqual(try decode([0x23, 0x00, 0x00], .publish).topicAlias, 0)
    }

    func testTruncatedValuesAreMalformed() {
        assertError([0x02, 0x00, 0x00, 0x00], .publish, .malformedPacket)
        assertError([0x03, 0x00, 0x05, 0x61], .publish, .malformedPacket)
        assertError([0x26] + S.string("k"), .publish, .malformedPacket)
        assertError([0x0B, 0x80], .publish, .malformedPacket)
    }

    func testPropertyLengthLongerThanAvailableIsMalformed() {
        var buffer = S.buffer([0x05, 0x02, 0x00])
        XCTAssertThrowsError(try MQTTPropertiesCodec.decode(from: &buffer, context: .publish)) { error in
            XCTAssertEqual((error as? MQTTDecodeError)?.kind, .malformedPacket)
        }
    }

    func testStringPropertiesRejectBadUTF8AndNull() {
        assertError([0x1F, 0x00, 0x01, 0xFF], .ack, .malformedPacket)
        assertError([0x26, 0x00, 0x01, 0x00] + S.string("v"), .ack, .malformedPacket)
        assertError([0x26] + S.string("k") + [0x00, 0x02, 0xED, 0xBF], .ack, .malformedPacket)
    }

    func testMultipleUserPropertiesKeepOrderAndDuplicates() throws {
        let bytes = [0x26] + S.string("a") + S.string("1") + [0x26] + S.string("a") + S.string("2")
            + [0x26] + S.string("b") + S.string("")
        XCTAssertEqual(try decode(bytes, .publish).userProperties,
                       [UserProperty("a", "1"), UserProperty("a", "2"), UserProperty("b", "")])
    }

    func testMultipleSubscriptionIdentifiersInPublish() throws {
        let bytes: [UInt8] = [0x0B, 0x01, 0x0B, 0xFF, 0xFF, 0xFF, 0x7F, 0x0B, 0x80, 0x01]
        XCTAssertEqual(try decode(bytes, .publish).subscriptionIdentifiers, [1, 268_435_455, 128])
    }

    func testEncodeSizeMatchesAndRoundTripsInEveryContext() throws {
        for context in contexts {
            let expected = S.properties(allowedIn: context)
            var buffer = ByteBuffer()
            MQTTPropertiesCodec.write(S.allProperties(), context: context, into: &buffer)
            XCTAssertEqual(buffer.readableBytes, MQTTPropertiesCodec.encodedSize(S.allProperties(), context: context))
            XCTAssertEqual(try MQTTPropertiesCodec.decode(from: &buffer, context: context), expected, "\(context)")
            XCTAssertEqual(buffer.readableBytes, 0)
        }
    }

    func testEmptyPropertiesAreOneZeroByte() {
        var buffer = ByteBuffer()
        MQTTPropertiesCodec.write(MQTTProperties(), context: .connack, into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0x00])
    }

    func testVariableByteIntegerEncoding() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0x00]), (127, [0x7F]), (128, [0x80, 0x01]), (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
            (2_097_151, [0xFF, 0xFF, 0x7F]), (2_097_152, [0x80, 0x80, 0x80, 0x01]), (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
        ]
        for (value, bytes) in cases {
            var buffer = ByteBuffer()
            buffer.writeMQTTVariableByteInteger(value)
            XCTAssertEqual(Array(buffer.readableBytesView), bytes)
            XCTAssertEqual(ByteBuffer.mqttVariableByteIntegerSize(value), bytes.count)
            XCTAssertEqual(try buffer.readMQTTVariableByteInteger(), UInt32(value))
        }
    }

    func testUTF8Validator() {
        func check(_ bytes: [UInt8]) -> MQTTUTF8.Result { bytes.withUnsafeBytes { MQTTUTF8.validate($0) } }
        XCTAssertEqual(check(Array("plain ascii".utf8)), .valid)
        XCTAssertEqual(check(Array("é€😀\u{10FFFF}\u{D7FF}\u{E000}".utf8)), .valid)
        XCTAssertEqual(check([0x61, 0x00]), .containsNull)
        XCTAssertEqual(check([0xC0, 0xAF]), .invalid)             // overlong '/'
        XCTAssertEqual(check([0xE0, 0x9F, 0xBF]), .invalid)       // overlong three byte
        XCTAssertEqual(check([0xF0, 0x8F, 0xBF, 0xBF]), .invalid) // overlong four byte
        XCTAssertEqual(check([0xED, 0xA0, 0x80]), .invalid)       // U+D800
        XCTAssertEqual(check([0xED, 0xBF, 0xBF]), .invalid)       // U+DFFF
        XCTAssertEqual(check([0xF4, 0x90, 0x80, 0x80]), .invalid) // U+110000
        XCTAssertEqual(check([0xF8, 0x88, 0x80, 0x80, 0x80]), .invalid)
        XCTAssertEqual(check([0x80]), .invalid)
        XCTAssertEqual(check([0xC3]), .invalid)
        XCTAssertEqual(check([0xC3, 0x28]), .invalid)
        XCTAssertEqual(check([0xF0, 0x9F, 0x98]), .invalid)
    }
}
