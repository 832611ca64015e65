import NIOCore
@testable import PierAMQP
import PierCore
import XCTest

/// The README's mapping table, AMQP column, both ways.
final class AMQPMessageMappingTests: XCTestCase {
    func testHeaderAndPropertiesMapOntoTheCoreFields() {
        var props = AMQPMessageProperties(messageID: .ulong(42), to: "q", subject: "kind", replyTo: "topic://r.s",
                                          correlationID: .string("c-1"), contentType: "text/plain", creationTime: 1_000)
        props.groupID = "g"
        props.groupSequence = 3
        var amqp = AMQPMessage(header: AMQPMessageHeader(durable: true, priority: 8, ttl: 5_000), properties: props,
                               applicationProperties: [.string("n"): .int(7), .string("ok"): .boolean(true), .string("s"): .string("x")],
                               body: .value(.string("hello")))
        amqp.messageAnnotations = [.symbol("x-opt-delivery-delay"): .long(2_000)]
        let m = AMQPMessageMapping.message(from: amqp, destination: .queue("q"), replyTo: AMQPAddress.destination(props.replyTo),
                                           origin: "c", now: 10_000, wallNow: 50_000)
        XCTAssertTrue(m.isPersistent)
        XCTAssertEqual(m.headers.priority, 8)
        XCTAssertEqual(m.expiresAt, 15_000)
        XCTAssertEqual(m.headers.messageID, "42")
        XCTAssertEqual(m.correlationID, "c-1")
        XCTAssertEqual(m.replyTo, .topic("r/s"))
        XCTAssertEqual(m.headers.type, "kind")
        XCTAssertEqual(m.contentType, "text/plain")
        XCTAssertEqual(m.headers.timestamp, 1_000)
        XCTAssertEqual(m.headers.groupID, "g")
        XCTAssertEqual(m.headers.groupSequence, 3)
        XCTAssertEqual(m.headers.deliverAt, 12_000)
        XCTAssertEqual(m.properties, [MessageProperty("n", .int32(7)), MessageProperty("ok", .bool(true)), MessageProperty("s", .string("x"))])
        XCTAssertEqual(m.payload, ByteBuffer(string: "hello"))
        XCTAssertEqual(m.payloadIsUTF8, true)
    }

    func testCoreMessagesBecomeAMQPWithJMSAnnotations() {
        var headers = MessageHeaders(messageID: "ID:1", type: "kind", priority: 2, timestamp: 7, persistent: true, redeliveryCount: 1)
        headers.groupID = "g"
        var m = Message(destination: .topic("a/b"), payload: ByteBuffer(string: "text"), expiresAt: 3_000, contentType: "text/plain",
                        correlationData: Array("c".utf8), payloadIsUTF8: true, properties: [MessageProperty("n", .int64(5))], headers: headers)
        m.replyTo = .queue("replies")
        let amqp = AMQPMessageMapping.amqp(m, to: AMQPAddress.format(m.destination), replyTo: "replies", now: 1_000, wallNow: 9_000)
        XCTAssertEqual(amqp.header?.durable, true)
        XCTAssertEqual(amqp.header?.priority, 2)
        XCTAssertEqual(amqp.header?.ttl, 2_000)
        XCTAssertEqual(amqp.header?.deliveryCount, 1)
        XCTAssertEqual(amqp.properties?.messageID, .string("ID:1"))
        XCTAssertEqual(amqp.properties?.to, "topic://a.b")
        XCTAssertEqual(amqp.properties?.replyTo, "replies")
        XCTAssertEqual(amqp.properties?.subject, "kind")
        XCTAssertEqual(amqp.properties?.correlationID, .string("c"))
        XCTAssertEqual(amqp.properties?.absoluteExpiryTime, 11_000)
        XCTAssertEqual(amqp.properties?.groupID, "g")
        XCTAssertEqual(amqp.applicationProperties, [.string("n"): .long(5)])
        XCTAssertEqual(amqp.messageAnnotations?[.symbol("x-opt-jms-dest")], .byte(1))
        XCTAssertEqual(amqp.messageAnnotations?[.symbol("x-opt-jms-msg-type")], .byte(5))
        XCTAssertEqual(amqp.messageAnnotations?[.symbol("x-opt-jms-reply-to")], .byte(0))
        XCTAssertEqual(amqp.body, .value(.string("text")))
    }

    func testBytesAreDataAndOtherBodiesComeBackAsSent() {
        let data = AMQPMessage(body: .data([ByteBuffer(bytes: [0, 1, 2])]))
        let m = AMQPMessageMapping.message(from: data, destination: .queue("q"), replyTo: nil, origin: "", now: 0, wallNow: 0)
        XCTAssertEqual(m.payloadIsUTF8, false)
        let back = AMQPMessageMapping.amqp(m, to: "q", replyTo: nil, now: 0, wallNow: 0)
        XCTAssertEqual(back.body, .data([ByteBuffer(bytes: [0, 1, 2])]))
        XCTAssertEqual(back.messageAnnotations?[.symbol("x-opt-jms-msg-type")], .byte(3))

        let map = AMQPMessage(body: .value(.map([.string("sequence"): .int(1)])))
        let core = AMQPMessageMapping.message(from: map, destination: .queue("q"), replyTo: nil, origin: "", now: 0, wallNow: 0)
        XCTAssertEqual(core.contentType, AMQPMessageMapping.bodyContentType)
        let again = AMQPMessageMapping.amqp(core, to: "q", replyTo: nil, now: 0, wallNow: 0)
        XCTAssertEqual(again.body, map.body)
        XCTAssertNil(again.properties?.contentType, "the marker stays inside Pier")
    }

    func testQpidJMSDestinationAnnotationsMakeBareNamesTopics() {
        let topic: AMQPMap = [.symbol("x-opt-jms-dest"): .byte(1)]
        XCTAssertEqual(AMQPAddress.destination("news", capabilities: AMQPMessageMapping.jmsKind(topic, "x-opt-jms-dest")), .topic("news"))
        let queue: AMQPMap = [.symbol("x-opt-jms-dest"): .byte(0)]
        XCTAssertEqual(AMQPAddress.destination("news", capabilities: AMQPMessageMapping.jmsKind(queue, "x-opt-jms-dest")), .queue("news"))
        XCTAssertEqual(AMQPMessageMapping.jmsKind(nil, "x-opt-jms-dest"), [])
    }
}
