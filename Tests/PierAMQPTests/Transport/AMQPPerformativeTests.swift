import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPPerformativeTests: XCTestCase {
    private func assertFrameRoundTrip(_ frame: AMQPFrame, file: StaticString = #filePath, line: UInt = #line) {
        var buffer = ByteBuffer()
        let size = buffer.writeAMQPFrame(frame)
        XCTAssertEqual(size, buffer.readableBytes, file: file, line: line)
        var decoder = AMQPFrameDecoder(maxFrameSize: 1 << 20)
        var stream = ByteBuffer(bytes: AMQPProtocolHeader.amqp.bytes)
        stream.writeImmutableBuffer(buffer)
        XCTAssertEqual(try decoder.next(&stream), .header(.amqp), file: file, line: line)
        XCTAssertEqual(try decoder.next(&stream), .frame(frame), file: file, line: line)
        XCTAssertEqual(stream.readableBytes, 0, file: file, line: line)
    }

    func testEveryPerformativeRoundTripsWithDefaults() {
        let all: [AMQPPerformative] = [
            .open(AMQPOpen(containerID: "c")),
            .begin(AMQPBegin(nextOutgoingID: 0, incomingWindow: 10, outgoingWindow: 10)),
            .attach(AMQPAttach(name: "l", handle: 0, role: .sender)),
            .flow(AMQPFlow(nextIncomingID: nil, incomingWindow: 1, nextOutgoingID: 2, outgoingWindow: 3)),
            .transfer(AMQPTransfer(handle: 0)),
            .disposition(AMQPDisposition(role: .receiver, first: 0)),
            .detach(AMQPDetach(handle: 0)),
            .end(AMQPEnd()),
            .close(AMQPClose()),
        ]
        for (index, performative) in all.enumerated() {
            XCTAssertEqual(performative.amqpValue.descriptorCode, 0x10 + UInt64(index))
            assertFrameRoundTrip(.performative(performative, channel: UInt16(index)))
        }
    }

    func testEveryPerformativeRoundTripsWithAllFields() {
        var open = AMQPOpen(containerID: "pier", hostname: "vhost:x", maxFrameSize: 4096, channelMax: 7, idleTimeOut: 30_000)
        open.outgoingLocales = ["en-US"]
        open.incomingLocales = ["en-US", "de-DE"]
        open.offeredCapabilities = ["ANONYMOUS-RELAY"]
        open.desiredCapabilities = ["a", "b"]
        open.properties = [.symbol("product"): "pier"]
        var begin = AMQPBegin(remoteChannel: 3, nextOutgoingID: .max, incomingWindow: 2048, outgoingWindow: 1, handleMax: 99)
        begin.offeredCapabilities = ["x"]
        begin.properties = [.symbol("p"): .uint(1)]
        var source = AMQPSource(address: "/queue/in")
        source.durable = 2
        source.expiryPolicy = "never"
        source.timeout = 5
        source.dynamic = true
        source.distributionMode = "move"
        source.filter = [.symbol("f"): .described(descriptor: .symbol("apache.org:selector-filter:string"), value: "a = 1")]
        source.defaultOutcome = AMQPDeliveryState.released.amqpValue
        source.outcomes = ["amqp:accepted:list", "amqp:rejected:list"]
        source.capabilities = ["queue"]
        var target = AMQPTarget(address: "/exchange/amq.topic/k")
        target.durable = 1
        target.capabilities = ["topic"]
        var attach = AMQPAttach(name: "link", handle: 4, role: .receiver, sndSettleMode: .settled, rcvSettleMode: .second,
                                source: source, target: target, initialDeliveryCount: 17)
        attach.unsettled = [.binary([1]): AMQPDeliveryState.accepted.amqpValue]
        attach.incompleteUnsettled = true
        attach.maxMessageSize = 1 << 40
        attach.properties = [.symbol("k"): .long(-5)]
        var flow = AMQPFlow(nextIncomingID: 1, incomingWindow: 2, nextOutgoingID: 3, outgoingWindow: 4, handle: 5, deliveryCount: 6,
                            linkCredit: 7, available: 8, drain: true, echo: true)
        flow.properties = [.symbol("z"): .null]
        var transfer = AMQPTransfer(handle: 1, deliveryID: 2, deliveryTag: ByteBuffer(bytes: [9, 9]), messageFormat: 0, settled: true, more: true)
        transfer.rcvSettleMode = .second
        transfer.state = .received(sectionNumber: 1, sectionOffset: 100)
        transfer.resume = true
        transfer.aborted = true
        transfer.batchable = true
        var disposition = AMQPDisposition(role: .sender, first: 1, last: 10, settled: true,
                                          state: .modified(deliveryFailed: true, undeliverableHere: true, messageAnnotations: [.symbol("x-why"): "test"]))
        disposition.batchable = true
        let error = AMQPError(condition: AMQPError.notFound, description: "no queue", info: [.symbol("queue"): "q"])
        let all: [AMQPPerformative] = [
            .open(open), .begin(begin), .attach(attach), .flow(flow), .transfer(transfer), .disposition(disposition),
            .detach(AMQPDetach(handle: 4, closed: true, error: error)), .end(AMQPEnd(error: error)), .close(AMQPClose(error: error)),
        ]
        for performative in all {
            assertFrameRoundTrip(.performative(performative, channel: 1, payload: nil))
            XCTAssertEqual(try AMQPPerformative(decoding: performative.amqpValue), performative)
        }
    }

    func testTransferPayloadAndHeartbeatAndSASLFrames() {
        assertFrameRoundTrip(.performative(.transfer(AMQPTransfer(handle: 0, deliveryID: 1)), channel: 2, payload: ByteBuffer(string: "body")))
        assertFrameRoundTrip(AMQPFrame(channel: 0, body: .heartbeat))
        var heartbeat = ByteBuffer()
        heartbeat.writeAMQPFrame(AMQPFrame(body: .heartbeat))
        XCTAssertEqual(Array(heartbeat.readableBytesView), [0, 0, 0, 8, 2, 0, 0, 0])
        let sasl: [AMQPSASLFrame] = [
            .mechanisms(["PLAIN", "ANONYMOUS"]), .mechanisms(["PLAIN"]),
            .plain(user: "guest", password: "secret", hostname: "h"), .anonymous(),
            .challenge(ByteBuffer(bytes: [1])), .response(ByteBuffer(bytes: [2])),
            .outcome(code: .ok, additionalData: nil), .outcome(code: .auth, additionalData: ByteBuffer(bytes: [3])),
        ]
        for (i, frame) in sasl.enumerated() {
            var buffer = ByteBuffer()
            buffer.writeAMQPFrame(AMQPFrame(body: .sasl(frame)))
            XCTAssertEqual(buffer.getInteger(at: 5, as: UInt8.self), 1, "SASL frame type")
            var decoder = AMQPFrameDecoder(maxFrameSize: 512)
            var stream = ByteBuffer(bytes: AMQPProtocolHeader.sasl.bytes)
            stream.writeBuffer(&buffer)
            XCTAssertEqual(try decoder.next(&stream), .header(.sasl))
            XCTAssertEqual(try decoder.next(&stream), .frame(AMQPFrame(body: .sasl(frame))), "sasl \(i)")
        }
        if case .initial(_, let response?, _) = AMQPSASLFrame.plain(user: "u", password: "p") {
            XCTAssertEqual(Array(response.readableBytesView), [0, 0x75, 0, 0x70])
        } else {
            XCTFail("PLAIN without response")
        }
    }

    func testDecoderWaitsForCompleteFramesAndExpectsHeaderAfterSASLOutcome() throws {
        var wire = ByteBuffer(bytes: AMQPProtocolHeader.sasl.bytes)
        wire.writeAMQPFrame(AMQPFrame(body: .sasl(.outcome(code: .ok, additionalData: nil))))
        wire.writeBytes(AMQPProtocolHeader.amqp.bytes)
        wire.writeAMQPFrame(.performative(.open(AMQPOpen(containerID: "x"))))
        var decoder = AMQPFrameDecoder(maxFrameSize: 512)
        var items: [AMQPFrameDecoder.Item] = []
        var stream = ByteBuffer()
        // One byte at a time: nothing is returned until complete.
        for byte in wire.readableBytesView {
            stream.writeInteger(byte)
            while let item = try decoder.next(&stream) { items.append(item) }
        }
        XCTAssertEqual(items, [.header(.sasl), .frame(AMQPFrame(body: .sasl(.outcome(code: .ok, additionalData: nil)))),
                               .header(.amqp), .frame(.performative(.open(AMQPOpen(containerID: "x"))))])
    }

    func testDeliveryStatesRoundTrip() throws {
        let states: [AMQPDeliveryState] = [
            .received(sectionNumber: 0, sectionOffset: 0), .accepted, .rejected(nil),
            .rejected(AMQPError(condition: AMQPError.decodeError)), .released,
            .modified(deliveryFailed: false, undeliverableHere: false, messageAnnotations: nil),
            .modified(deliveryFailed: true, undeliverableHere: false, messageAnnotations: [.symbol("a"): .uint(1)]),
        ]
        for (state, code) in zip(states, [0x23, 0x24, 0x25, 0x25, 0x26, 0x27, 0x27] as [UInt64]) {
            XCTAssertEqual(state.amqpValue.descriptorCode, code)
            XCTAssertEqual(try AMQPDeliveryState(decoding: state.amqpValue), state)
        }
        XCTAssertEqual(try AMQPDeliveryState(decoding: .described(descriptor: .symbol("amqp:accepted:list"), value: .list([]))), .accepted)
    }

    // MARK: - Malformed frames and performatives

    private func assertFrameError(_ bytes: [UInt8], max: UInt32 = 512, _ expected: AMQPDecodeError, file: StaticString = #filePath, line: UInt = #line) {
        var decoder = AMQPFrameDecoder(maxFrameSize: max)
        var stream = ByteBuffer(bytes: AMQPProtocolHeader.amqp.bytes + bytes)
        XCTAssertEqual(try decoder.next(&stream), .header(.amqp), file: file, line: line)
        XCTAssertThrowsError(try decoder.next(&stream), file: file, line: line) { error in
            XCTAssertEqual(error as? AMQPDecodeError, expected, file: file, line: line)
        }
    }

    func testMalformedFrames() {
        assertFrameError([0, 0, 2, 1, 2, 0, 0, 0], max: 512, .frameTooLarge(size: 513, max: 512))
        assertFrameError([0xFF, 0xFF, 0xFF, 0xFF], max: 65_536, .frameTooLarge(size: .max, max: 65_536))
        assertFrameError([0, 0, 0, 7, 2, 0, 0], .invalidFrameSize(7))
        assertFrameError([0, 0, 0, 8, 1, 0, 0, 0], .invalidDataOffset(1))
        assertFrameError([0, 0, 0, 8, 3, 0, 0, 0], .invalidDataOffset(3))
        assertFrameError([0, 0, 0, 9, 2, 7, 0, 0, 0x40], .unknownFrameType(7))
        // An open whose body claims to be a list of 10 bytes with only 2 there.
        assertFrameError([0, 0, 0, 14, 2, 0, 0, 0, 0x00, 0x53, 0x10, 0xC0, 10, 1], .sizeExceedsBuffer(declared: 10, available: 1))
        // Bytes after a non-transfer performative.
        assertFrameError([0, 0, 0, 13, 2, 0, 0, 0, 0x00, 0x53, 0x18, 0x45, 0x40], .trailingBytes(1))
        var decoder = AMQPFrameDecoder(maxFrameSize: 512)
        var stream = ByteBuffer(bytes: [0x41, 0x4D, 0x51, 0x50, 1, 1, 0, 0])
        XCTAssertThrowsError(try decoder.next(&stream)) {
            XCTAssertEqual($0 as? AMQPDecodeError, .invalidProtocolHeader([0x41, 0x4D, 0x51, 0x50, 1, 1, 0, 0]))
        }
        stream = ByteBuffer(string: "HTTP/1.1")
        XCTAssertThrowsError(try decoder.next(&stream)) { XCTAssertEqual($0 as? AMQPDecodeError, .invalidProtocolHeader(Array("HTTP/1.1".utf8))) }
    }

    func testMalformedPerformatives() {
        func check(_ value: AMQPValue, _ expected: AMQPDecodeError, line: UInt = #line) {
            XCTAssertThrowsError(try AMQPPerformative(decoding: value), line: line) { XCTAssertEqual($0 as? AMQPDecodeError, expected, line: line) }
        }
        check(.described(descriptor: .ulong(0x10), value: .list([])), .missingMandatoryField(type: "amqp:open:list", field: "container-id"))
        check(.described(descriptor: .ulong(0x10), value: .list([.uint(1)])), .invalidField(type: "amqp:open:list", field: "container-id", found: .uint(1)))
        check(.described(descriptor: .ulong(0x11), value: .list([.null, .uint(0), .uint(1)])),
              .missingMandatoryField(type: "amqp:begin:list", field: "outgoing-window"))
        check(.described(descriptor: .ulong(0x12), value: .list(["n", .uint(0), .boolean(false), .ubyte(3)])),
              .invalidField(type: "amqp:attach:list", field: "snd-settle-mode", found: .ubyte(3)))
        check(.described(descriptor: .ulong(0x15), value: .list([.boolean(true), .uint(0), .null, .null, .described(descriptor: .ulong(0x99), value: .list([]))])),
              .unexpectedDescriptor(expected: "delivery-state", found: .described(descriptor: .ulong(0x99), value: .list([]))))
        check(.described(descriptor: .ulong(0x19), value: .list([])), .unexpectedDescriptor(expected: "performative", found: .described(descriptor: .ulong(0x19), value: .list([]))))
        check(.list([]), .unexpectedDescriptor(expected: "performative", found: .list([])))
        check(.described(descriptor: .ulong(0x18), value: .uint(1)), .invalidField(type: "amqp:close:list", field: "(body)", found: .uint(1)))
        check(.described(descriptor: .ulong(0x10), value: .list(["c", .null, .null, .null, .null, .array([.uint(1)])])),
              .invalidField(type: "amqp:open:list", field: "outgoing-locales", found: .array([.uint(1)])))
        XCTAssertThrowsError(try AMQPSASLFrame(decoding: .described(descriptor: .ulong(0x44), value: .list([.ubyte(9)])))) {
            XCTAssertEqual($0 as? AMQPDecodeError, .invalidField(type: "amqp:sasl-outcome:list", field: "code", found: .ubyte(9)))
        }
        // Symbolic descriptors are accepted too.
        XCTAssertEqual(try AMQPPerformative(decoding: .described(descriptor: .symbol("amqp:end:list"), value: .list([]))), .end(AMQPEnd()))
    }
}
