import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPMessageTests: XCTestCase {
    func testFullMessageRoundTrip() throws {
        var message = AMQPMessage(
            header: AMQPMessageHeader(durable: true, priority: 9, ttl: 1000, firstAcquirer: true, deliveryCount: 2),
            properties: AMQPMessageProperties(messageID: .uuid(.random()), to: "/queue/q", subject: "s", replyTo: "/queue/r",
                                              correlationID: .ulong(7), contentType: "application/json", creationTime: 1_700_000_000_000),
            applicationProperties: ["mqtt-topic": "a/b", "qos": .ubyte(1)],
            body: .data([ByteBuffer(string: "{}"), ByteBuffer(string: "second")]))
        message.properties?.userID = ByteBuffer(string: "user")
        message.properties?.contentEncoding = "gzip"
        message.properties?.absoluteExpiryTime = 1_800_000_000_000
        message.properties?.groupID = "g"
        message.properties?.groupSequence = 3
        message.properties?.replyToGroupID = "rg"
        message.deliveryAnnotations = [.symbol("x-d"): .int(1)]
        message.messageAnnotations = [.symbol("x-opt-routing-key"): "k"]
        message.footer = [.symbol("x-f"): .null]
        XCTAssertEqual(try AMQPMessage(decoding: message.encoded), message)
        XCTAssertEqual(message.body.bytes, ByteBuffer(string: "{}second"))
    }

    func testBodiesAndSectionCodes() throws {
        let value = AMQPMessage(body: .value(.map(["k": .list([.uint(1)])])))
        XCTAssertEqual(try AMQPMessage(decoding: value.encoded), value)
        XCTAssertEqual(Array(value.encoded.readableBytesView.prefix(3)), [0x00, 0x53, 0x77])
        let sequence = AMQPMessage(body: .sequence([[.uint(1)], [.string("x"), .null]]))
        XCTAssertEqual(try AMQPMessage(decoding: sequence.encoded), sequence)
        let data = AMQPMessage(data: ByteBuffer(string: "hi"))
        XCTAssertEqual(Array(data.encoded.readableBytesView), [0x00, 0x53, 0x75, 0xA0, 2, 0x68, 0x69])
        let header = AMQPMessage(header: AMQPMessageHeader(durable: true), body: .data([]))
        XCTAssertEqual(Array(header.encoded.readableBytesView), [0x00, 0x53, 0x70, 0xC0, 2, 1, 0x41])
        XCTAssertEqual(try AMQPMessage(decoding: ByteBuffer()).body, .data([]))
    }

    func testMalformedSections() {
        func check(_ bytes: [UInt8], _ expected: AMQPDecodeError, line: UInt = #line) {
            XCTAssertThrowsError(try AMQPMessage(decoding: ByteBuffer(bytes: bytes)), line: line) {
                XCTAssertEqual($0 as? AMQPDecodeError, expected, line: line)
            }
        }
        check([0xA1, 1, 0x61], .unexpectedDescriptor(expected: "message section", found: .string("a")))
        check([0x00, 0x53, 0x75, 0xA1, 1, 0x61], .invalidField(type: "amqp:data:binary", field: "(body)", found: .string("a")))
        check([0x00, 0x53, 0x79, 0x40], .unexpectedDescriptor(expected: "message section", found: .described(descriptor: .ulong(0x79), value: .null)))
        check([0x00, 0x53, 0x74, 0x45], .invalidField(type: "amqp:application-properties:map", field: "(body)", found: .list([])))
        check([0x00, 0x53, 0x75, 0xA0, 5, 1], .sizeExceedsBuffer(declared: 5, available: 1))
    }
}
