import NIOCore
import XCTest
@testable import PierOpenWire

/// Properties and bodies of messages a Java client sent (Fixtures/message-types-*, compression-*): they
/// decode to what the client put in, and encoding those values again gives the client's bytes.
final class OpenWireMessageBodyTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    private static let fancy = "h\u{E9}llo \u{2713} \u{1D11E}"
    private static let compressible = String(repeating: "compress me ", count: 200)

    func testPropertiesOfEveryType() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0008-t28-ActiveMQTextMessage")
        let properties = try XCTUnwrap(try message.properties())
        XCTAssertEqual(properties["pBoolean"], .bool(true))
        XCTAssertEqual(properties["pByte"], .byte(-7))
        XCTAssertEqual(properties["pShort"], .short(-1234))
        XCTAssertEqual(properties["pInt"], .int(123_456_789))
        XCTAssertEqual(properties["pLong"], .long(1_234_567_890_123_456_789))
        XCTAssertEqual(properties["pFloat"], .float(3.25))
        XCTAssertEqual(properties["pDouble"], .double(-2.5e-3))
        XCTAssertEqual(properties["pString"], .string(Self.fancy))
        XCTAssertEqual(properties["pEmpty"], .string(""))
        XCTAssertEqual(properties.count, 9)
        // JMSXGroupID and JMSXGroupSeq are header fields in OpenWire, not properties.
        XCTAssertEqual(message.groupId, "group-A")
        XCTAssertEqual(message.groupSequence, 3)
        XCTAssertEqual(message.correlationId, "corr-Text")
        XCTAssertEqual(message.type, "type-Text")
        XCTAssertEqual(message.replyTo, .queue("ow.types.reply"))
        XCTAssertEqual(message.destination, .queue("ow.types"))
        XCTAssertTrue(message.persistent)
        XCTAssertEqual(message.priority, 7)
        XCTAssertEqual(message.expiration - message.timestamp, 600_000)
        // Re-marshalled in the same order, the properties are the client's bytes.
        var copy = message
        try copy.setProperties(properties)
        XCTAssertEqual(copy.marshalledProperties, message.marshalledProperties)
    }

    func testTextBody() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0008-t28-ActiveMQTextMessage")
        XCTAssertEqual(try message.text(), "text body " + Self.fancy)
        var copy = message
        try copy.setText("text body " + Self.fancy)
        XCTAssertEqual(copy.content, message.content)
        // A plain JMS Message has no body at all.
        XCTAssertNil(try S.fixtureMessage("message-types-c0-c2b-0006-t23-ActiveMQMessage").content)
        XCTAssertEqual(try S.fixtureMessage("basic-c0-c2b-0006-t28-ActiveMQTextMessage").text(), "hello pier")
    }

    func testMapBody() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0009-t25-ActiveMQMapMessage")
        let map = try message.mapBody()
        let expected: [String: OpenWirePrimitive] = [
            "mBoolean": .bool(true), "mByte": .byte(1), "mShort": .short(2), "mChar": .char(UInt16(UInt8(ascii: "Z"))),
            "mInt": .int(3), "mLong": .long(4), "mFloat": .float(5.5), "mDouble": .double(6.25), "mString": .string("seven"),
            "mBytes": .bytes([8, 9]),
        ]
        XCTAssertEqual(map.count, expected.count)
        for (key, value) in expected { XCTAssertEqual(map[key], value, key) }
        var copy = message
        try copy.setMapBody(map)
        XCTAssertEqual(copy.content, message.content)
    }

    func testStreamBody() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0010-t27-ActiveMQStreamMessage")
        let elements = try message.streamBody()
        XCTAssertEqual(elements, [.bool(false), .byte(1), .short(2), .char(UInt16(UInt8(ascii: "Y"))), .int(3), .long(4),
                                  .float(5.5), .double(6.25), .string("seven"), .bytes([8, 9])])
        var copy = message
        try copy.setStreamBody(elements)
        XCTAssertEqual(copy.content, message.content)
    }

    func testBytesBody() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0007-t24-ActiveMQBytesMessage")
        let body = try XCTUnwrap(try message.uncompressedContent())
        XCTAssertEqual(Array(body.readableBytesView), [0, 1, 2, 0xFE, 0xFF, 0, 0, 0, 42, 0, 9] + Array("bytes utf".utf8))
    }

    func testBlobMessageFields() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0012-t29-ActiveMQBlobMessage")
        XCTAssertEqual(message.kind, .blob)
        XCTAssertEqual(message.remoteBlobUrl, "http://127.0.0.1:9/blob.bin")
        XCTAssertNil(message.content)
    }

    func testObjectBodyStaysOpaque() throws {
        let message = try S.fixtureMessage("message-types-c0-c2b-0011-t26-ActiveMQObjectMessage")
        let body = try XCTUnwrap(try message.uncompressedContent())
        // Java serialization's magic.
        XCTAssertEqual(Array(body.readableBytesView.prefix(2)), [0xAC, 0xED])
        XCTAssertThrowsError(try message.text()) { error in
            XCTAssertEqual((error as? OpenWireDecodeError)?.reason, .wrongMessageKind(.objectMessage))
        }
    }

    // MARK: Compressed bodies (a client with jms.useCompression=true)

    func testCompressedText() throws {
        let message = try S.fixtureMessage("compression-c0-c2b-0005-t28-ActiveMQTextMessage")
        XCTAssertTrue(message.compressed)
        XCTAssertLessThan(message.content?.readableBytes ?? 0, 200)
        XCTAssertEqual(try message.text(), Self.compressible)
        // Setting a text stores it uncompressed.
        var copy = message
        try copy.setText("x")
        XCTAssertFalse(copy.compressed)
        XCTAssertEqual(try copy.text(), "x")
    }

    func testCompressedBytes() throws {
        let message = try S.fixtureMessage("compression-c0-c2b-0006-t24-ActiveMQBytesMessage")
        XCTAssertTrue(message.compressed)
        let body = try XCTUnwrap(try message.uncompressedContent())
        XCTAssertEqual(String(decoding: body.readableBytesView, as: UTF8.self), Self.compressible)
    }

    func testCompressedMap() throws {
        let message = try S.fixtureMessage("compression-c0-c2b-0007-t25-ActiveMQMapMessage")
        XCTAssertTrue(message.compressed)
        XCTAssertEqual(try message.mapBody(), ["k": .string(Self.compressible)])
        // The dispatch the broker made of the text message carries it compressed, as received.
        let dispatched = try S.fixtureMessage("compression-c0-b2c-0009-t21-MessageDispatch")
        XCTAssertTrue(dispatched.compressed)
        XCTAssertEqual(try dispatched.text(), Self.compressible)
    }

    func testDamagedCompressedBodies() throws {
        var message = try S.fixtureMessage("compression-c0-c2b-0005-t28-ActiveMQTextMessage")
        let original = Array(try XCTUnwrap(message.content).readableBytesView)
        var damaged = original
        damaged[damaged.count - 1] ^= 0xFF  // the Adler-32
        message.content = ByteBuffer(bytes: damaged)
        XCTAssertEqual(Self.reason { try message.text() }, .badCompressedBody)
        message.content = ByteBuffer(bytes: original.prefix(original.count / 2))
        XCTAssertEqual(Self.reason { try message.text() }, .badCompressedBody)
        // An inflated size over the caller's limit.
        message.content = ByteBuffer(bytes: original)
        XCTAssertEqual(Self.reason { try message.text(maxInflatedSize: 100) }, .badCompressedBody)
        XCTAssertEqual(try message.text(maxInflatedSize: 2404), Self.compressible)

        // A bytes body whose announced length is not what inflates.
        var bytes = try S.fixtureMessage("compression-c0-c2b-0006-t24-ActiveMQBytesMessage")
        var content = Array(try XCTUnwrap(bytes.content).readableBytesView)
        content[3] &+= 1
        bytes.content = ByteBuffer(bytes: content)
        XCTAssertEqual(Self.reason { try bytes.uncompressedContent() }, .badCompressedBody)
        content.replaceSubrange(0..<4, with: OpenWireCodecTestSupport.be32(-1))
        bytes.content = ByteBuffer(bytes: content)
        XCTAssertEqual(Self.reason { try bytes.uncompressedContent() }, .badCompressedBody)
    }

    // MARK: Malformed bodies

    func testMalformedTextBodies() {
        var message = OpenWireMessage(kind: .text)
        message.content = ByteBuffer(bytes: S.be32(-1))
        XCTAssertNil(try message.text(), "a negative length is a null text")
        message.content = ByteBuffer(bytes: S.be32(5) + [65])
        XCTAssertEqual(Self.reason { try message.text() }, .lengthBeyondFrame(length: 5, available: 1))
        message.content = ByteBuffer(bytes: S.be32(1) + [65, 66])
        XCTAssertEqual(Self.reason { try message.text() }, .trailingBytes(1))
        message.content = ByteBuffer(bytes: S.be32(1) + [0xFF])
        XCTAssertEqual(Self.reason { try message.text() }, .malformedString)
        message.content = ByteBuffer(bytes: [0, 0])
        XCTAssertEqual(Self.reason { try message.text() }, .truncated(needed: 4, available: 2))
    }

    func testMalformedStreamBodies() {
        var message = OpenWireMessage(kind: .stream)
        message.content = ByteBuffer(bytes: [5, 0, 0])
        XCTAssertEqual(Self.reason { try message.streamBody() }, .truncated(needed: 4, available: 2))
        message.content = ByteBuffer(bytes: [14])
        XCTAssertEqual(Self.reason { try message.streamBody() }, .unknownPrimitiveType(14))
        message.content = ByteBuffer(bytes: [1, 2])
        XCTAssertEqual(Self.reason { try message.streamBody() }, .invalidBoolean(2))
    }

    func testEmptyBodiesAreAbsent() throws {
        var map = OpenWireMessage(kind: .map)
        XCTAssertEqual(try map.mapBody(), [:])
        try map.setMapBody([:])
        XCTAssertNil(map.content)
        var stream = OpenWireMessage(kind: .stream)
        try stream.setStreamBody([])
        XCTAssertNil(stream.content)
        XCTAssertEqual(try stream.streamBody(), [])
        var text = OpenWireMessage(kind: .text)
        try text.setText(nil)
        XCTAssertNil(text.content)
        XCTAssertNil(try text.text())
        try text.setProperties([:])
        XCTAssertNil(text.marshalledProperties)
        XCTAssertNil(try text.properties())
    }

    private static func reason<T>(_ body: () throws -> T) -> OpenWireDecodeError.Reason? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? OpenWireDecodeError)?.reason
        }
    }
}
