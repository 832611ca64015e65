import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

private typealias S = MQTTCodecTestSupport

final class MQTTPacketDecoderTests: XCTestCase {
    // MARK: Builders for hand-made packets

    /// CONNECT with the given variable header pieces; `properties` nil means none on the wire (3.x).
    private func connect(name: String = "MQTT", level: UInt8 = 4, flags: UInt8 = 0x02, properties: [UInt8]? = nil,
                         payload: [UInt8] = S.string("c1")) -> [UInt8] {
        S.packet(0x10, S.string(name) + [level, flags, 0x00, 0x3C] + (properties.map { [UInt8($0.count)] + $0 } ?? [])
                 + payload)
    }

    private func connect5(flags: UInt8 = 0x02, properties: [UInt8] = [], payload: [UInt8] = S.string("c1")) -> [UInt8] {
        connect(level: 5, flags: flags, properties: properties, payload: payload)
    }

    /// QoS 0 PUBLISH in 5.0 with the given properties.
    private func publish5(topic: String = "a/b", properties: [UInt8], payload: [UInt8] = [0x68]) -> [UInt8] {
        S.packet(0x30, S.string(topic) + [UInt8(properties.count)] + properties + payload)
    }

    private func subscribe(_ entries: [UInt8], properties: [UInt8]? = nil, packetID: UInt8 = 1) -> [UInt8] {
        S.packet(0x82, [0x00, packetID] + (properties.map { [UInt8($0.count)] + $0 } ?? []) + entries)
    }

    // MARK: Framing

    func testIncompleteInputReturnsNilAndLeavesBufferUntouched() throws {
        let full = S.encode(.publish(MQTTPublish(topic: "a/b", payload: S.buffer(Array(repeating: 7, count: 300)),
                                                 qos: .atLeastOnce, packetID: 9)), .v3_1_1)
        XCTAssertEqual(full[1] & 0x80, 0x80, "test needs a two byte remaining length")
        var decoder = MQTTPacketDecoder(version: .v3_1_1)
        for cut in [0, 1, 2, 3, 10, full.count - 1] {
            // A consumed leading byte puts the reader index away from 0, as in a live connection.
            var buffer = S.buffer([0xEE] + full[0..<cut])
            buffer.moveReaderIndex(forwardBy: 1)
            XCTAssertNil(try decoder.decode(&buffer), "cut at \(cut)")
            XCTAssertEqual(buffer.readerIndex, 1)
            XCTAssertEqual(buffer.readableBytes, cut)
        }
    }

    func testByteByByteFeedingDecodesOnceComplete() throws {
        let bytes = S.encode(.subscribe(MQTTSubscribe(packetID: 5, subscriptions: [MQTTSubscription(filter: "x/#", qos: .exactlyOnce)])), .v3_1_1)
        var decoder = MQTTPacketDecoder(version: .v3_1_1)
        var buffer = ByteBuffer()
        var decoded: [MQTTPacket] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            if let packet = try decoder.decode(&buffer) { decoded.append(packet) }
        }
        XCTAssertEqual(decoded, [.subscribe(MQTTSubscribe(packetID: 5, subscriptions: [MQTTSubscription(filter: "x/#", qos: .exactlyOnce)]))])
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testTwoPacketsInOneBufferDecodeInTurn() throws {
        var buffer = S.buffer([0xC0, 0x00] + [0x40, 0x02, 0x12, 0x34] + [0xE0])
        var decoder = MQTTPacketDecoder(version: .v3_1_1)
        XCTAssertEqual(try decoder.decode(&buffer), .pingreq)
        XCTAssertEqual(buffer.readableBytes, 5)
        XCTAssertEqual(try decoder.decode(&buffer), .puback(MQTTPubAck(packetID: 0x1234)))
        XCTAssertEqual(buffer.readableBytes, 1)
        XCTAssertNil(try decoder.decode(&buffer), "trailing partial DISCONNECT")
        XCTAssertEqual(buffer.readableBytes, 1)
    }

    func testNonMinimalRemainingLengthIsAccepted() throws {
        XCTAssertEqual(try decodeOne([0xC0, 0x80, 0x80, 0x00], version: .v3_1_1), .pingreq)
    }

    func testPacketExactlyAtMaximumSizeIsAccepted() throws {
        var decoder = MQTTPacketDecoder(version: .v3_1_1, maximumPacketSize: 4)
        var buffer = S.buffer([0x40, 0x02, 0x00, 0x01])
        XCTAssertEqual(try decoder.decode(&buffer), .puback(MQTTPubAck(packetID: 1)))
    }

    // MARK: CONNECT

    func testConnectSetsVersionOnlyWhenUnset() throws {
        var decoder = MQTTPacketDecoder()
        var buffer = S.buffer(connect5())
        _ = try decoder.decode(&buffer)
        XCTAssertEqual(decoder.version, .v5)

        var preset = MQTTPacketDecoder(version: .v3_1_1)
        var buffer2 = S.buffer(connect5())
        guard case .connect(let c) = try preset.decode(&buffer2) else { return XCTFail("not a CONNECT") }
        XCTAssertEqual(c.protocolVersion, .v5)
        XCTAssertEqual(preset.version, .v3_1_1)
    }

    func testConnectV31UsesMQIsdp() throws {
        let bytes = connect(name: "MQIsdp", level: 3, flags: 0xC2, payload: S.string("c1") + S.string("u") + S.string("p"))
        let packet = try decodeOne(bytes, version: nil)
        XCTAssertEqual(packet, .connect(MQTTConnect(protocolVersion: .v3_1, clientID: "c1", keepAlive: 60,
                                                    username: "u", password: Array("p".utf8))))
    }

    func testConnectFlagsAndWill() throws {
        // username, password, will retain, will QoS 2, will, no clean start
        let payload = S.string("id") + S.string("will/t") + S.string("bye") + S.string("user") + [0x00, 0x02, 0xFF, 0x00]
        let packet = try decodeOne(connect(flags: 0xF4, payload: payload), version: nil)
        XCTAssertEqual(packet, .connect(MQTTConnect(
            protocolVersion: .v3_1_1, clientID: "id", cleanStart: false, keepAlive: 60, username: "user",
            password: [0xFF, 0x00], will: MQTTWill(topic: "will/t", payload: S.buffer(Array("bye".utf8)),
                                                   qos: .exactlyOnce, retain: true))))
    }

    func testPasswordWithoutUsernameIsAllowedIn5() throws {
        let packet = try decodeOne(connect5(flags: 0x42, payload: S.string("c1") + [0x00, 0x01, 0x09]), version: nil)
        guard case .connect(let c) = packet else { return XCTFail("not a CONNECT") }
        XCTAssertNil(c.username)
        XCTAssertEqual(c.password, [0x09])
    }

    func testEmptyClientIDIsLeftToTheSession() throws {
        guard case .connect(let c) = try decodeOne(connect(payload: S.string("")), version: nil) else {
            return XCTFail("not a CONNECT")
        }
        XCTAssertEqual(c.clientID, "")
    }

    func testUnknownProtocolLevel() {
        assertDecodeError(connect(level: 6), version: nil, .unsupportedProtocolVersion)
    }

    func testMQTTNameWithLevel3() {
        assertDecodeError(connect(level: 3), version: nil, .unsupportedProtocolVersion)
    }

    func testMQIsdpWithLevel4() {
        assertDecodeError(connect(name: "MQIsdp", level: 4), version: nil, .unsupportedProtocolVersion)
    }

    func testUnknownProtocolName() {
        assertDecodeError(connect(name: "MQTX"), version: nil, .unsupportedProtocolVersion)
    }

    func testConnectReservedFlag() {
        assertDecodeError(connect(flags: 0x03), version: nil, .malformedPacket)
    }

    func testWillQoSWithoutWillFlag() {
        assertDecodeError(connect(flags: 0x0A), version: nil, .malformedPacket)
    }

    func testWillRetainWithoutWillFlag() {
        assertDecodeError(connect(flags: 0x22), version: nil, .malformedPacket)
    }

    func testWillQoS3() {
        let payload = S.string("c1") + S.string("t") + S.string("m")
        assertDecodeError(connect(flags: 0x1E, payload: payload), version: nil, .malformedPacket)
    }

    func testPasswordWithoutUsernameIn311() {
        assertDecodeError(connect(flags: 0x42, payload: S.string("c1") + [0x00, 0x01, 0x09]), version: nil,
                          .malformedPacket)
    }

    func testWillTopicWithWildcard() {
        let payload = S.string("c1") + S.string("a/+") + S.string("m")
        assertDecodeError(connect(flags: 0x06, payload: payload), version: nil, .topicNameInvalid)
    }

    func testConnectMissingClientID() {
        assertDecodeError(connect(payload: []), version: nil, .malformedPacket)
    }

    func testConnectMissingUsername() {
        assertDecodeError(connect(flags: 0x82), version: nil, .malformedPacket)
    }

    func testClientIDWithOverlongUTF8() {
        assertDecodeError(connect(payload: [0x00, 0x02, 0xC0, 0x80]), version: nil, .malformedPacket)
    }

    func testClientIDWithOverlongThreeByteUTF8() {
        assertDecodeError(connect(payload: [0x00, 0x03, 0xE0, 0x80, 0xAF]), version: nil, .malformedPacket)
    }

    func testClientIDWithSurrogate() {
        assertDecodeError(connect(payload: [0x00, 0x03, 0xED, 0xA0, 0x80]), version: nil, .malformedPacket)
    }

    func testClientIDWithLoneContinuationByte() {
        assertDecodeError(connect(payload: [0x00, 0x02, 0x61, 0x80]), version: nil, .malformedPacket)
    }

    func testClientIDWithTruncatedSequence() {
        assertDecodeError(connect(payload: [0x00, 0x02, 0xE2, 0x82]), version: nil, .malformedPacket)
    }

    func testClientIDAboveU10FFFF() {
        assertDecodeError(connect(payload: [0x00, 0x04, 0xF4, 0x90, 0x80, 0x80]), version: nil, .malformedPacket)
    }

    func testClientIDWithNull() {
        assertDecodeError(connect(payload: [0x00, 0x02, 0x61, 0x00]), version: nil, .malformedPacket)
    }

    func testValidMultibyteUTF8IsAccepted() throws {
        let id = "é€😀"
        guard case .connect(let c) = try decodeOne(connect(payload: S.string(id)), version: nil) else {
            return XCTFail("not a CONNECT")
        }
        XCTAssertEqual(c.clientID, id)
    }

    func testReceiveMaximumZero() {
        assertDecodeError(connect5(properties: [0x21, 0x00, 0x00]), version: nil, .protocolError)
    }

    func testMaximumPacketSizeZero() {
        assertDecodeError(connect5(properties: [0x27, 0x00, 0x00, 0x00, 0x00]), version: nil, .protocolError)
    }

    func testRequestProblemInformationTwo() {
        assertDecodeError(connect5(properties: [0x17, 0x02]), version: nil, .protocolError)
    }

    func testWillPropertyNotAllowedInWill() {
        // Topic Alias is a PUBLISH property, not a will property.
        let payload = S.string("c1") + [0x03, 0x23, 0x00, 0x01] + S.string("t") + S.string("m")
        assertDecodeError(connect5(flags: 0x06, payload: payload), version: nil, .malformedPacket)
    }

    func testWillPayloadDeclaredUTF8ButInvalid() {
        let payload = S.string("c1") + [0x02, 0x01, 0x01] + S.string("t") + [0x00, 0x01, 0xFF]
        assertDecodeError(connect5(flags: 0x06, payload: payload), version: nil, .payloadFormatInvalid)
    }

    // MARK: Fixed header

    func testRemainingLengthWithFiveBytes() {
        assertDecodeError([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], .malformedPacket)
    }

    func testRemainingLengthFourthByteContinuationIsRejectedWithoutFifthByte() {
        assertDecodeError([0x30, 0x80, 0x80, 0x80, 0x80], .malformedPacket)
    }

    func testPacketTooLargeDetectedFromHeaderAlone() {
        // Remaining length 1000 announced, no body bytes present yet.
        assertDecodeError([0x30, 0xE8, 0x07], maximumPacketSize: 100, .packetTooLarge)
    }

    func testPacketOneByteOverMaximum() {
        assertDecodeError([0x40, 0x02, 0x00, 0x01], version: .v3_1_1, maximumPacketSize: 3, .packetTooLarge)
    }

    func testPacketTypeZero() {
        assertDecodeError([0x00, 0x00], .malformedPacket)
    }

    func testAuthBefore5() {
        assertDecodeError([0xF0, 0x00], version: .v3_1_1, .malformedPacket)
    }

    func testAuthBeforeConnect() {
        assertDecodeError([0xF0, 0x00], version: nil, .malformedPacket)
    }

    func testReservedFlagsOfEveryFixedFlagPacket() {
        // Otherwise valid 5.0 packets whose only fault is the low nibble of the first byte.
        let cases: [[UInt8]] = [
            [0x11] + connect5().dropFirst(),
            [0x21, 0x03, 0x00, 0x00, 0x00],
            [0x41, 0x02, 0x00, 0x01], [0x51, 0x02, 0x00, 0x01],
            [0x60, 0x02, 0x00, 0x01], [0x63, 0x02, 0x00, 0x01], [0x6A, 0x02, 0x00, 0x01],
            [0x71, 0x02, 0x00, 0x01],
            [0x80, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x00], [0x83, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x00],
            [0x91, 0x04, 0x00, 0x01, 0x00, 0x00],
            [0xA0, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61], [0xA6, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61],
            [0xB1, 0x04, 0x00, 0x01, 0x00, 0x00],
            [0xC1, 0x00], [0xD8, 0x00], [0xE2, 0x00], [0xF4, 0x00],
        ]
        for bytes in cases {
            assertDecodeError(bytes, .malformedPacket)
            // Sanity: the same bytes with the expected flags decode.
            var fixed = bytes
            let type = bytes[0] >> 4
            fixed[0] = (type << 4) | ([6, 8, 10].contains(type) ? 0x02 : 0x00)
            XCTAssertNoThrow(try decodeOne(fixed), "packet type \(type)")
        }
    }

    func testPublishQoS3() {
        assertDecodeError(S.packet(0x36, S.string("t") + [0x00, 0x01]), version: .v3_1_1, .malformedPacket)
    }

    func testPublishQoS0WithDup() {
        assertDecodeError(S.packet(0x38, S.string("t")), version: .v3_1_1, .malformedPacket)
    }

    func testLeftoverBytesInPingreq() {
        assertDecodeError([0xC0, 0x01, 0x00], .malformedPacket)
    }

    func testLeftoverBytesInPubAck311() {
        assertDecodeError([0x40, 0x03, 0x00, 0x01, 0x00], version: .v3_1_1, .malformedPacket)
    }

    func testDisconnectWithBodyIn311() {
        assertDecodeError([0xE0, 0x01, 0x00], version: .v3_1_1, .malformedPacket)
    }

    func testTruncatedPubAck() {
        assertDecodeError([0x40, 0x01, 0x00], .malformedPacket)
    }

    // MARK: PUBLISH

    func testPublishQoS1() throws {
        let packet = try decodeOne(S.packet(0x3B, S.string("a/b") + [0x00, 0x07] + Array("hi".utf8)), version: .v3_1_1)
        XCTAssertEqual(packet, .publish(MQTTPublish(topic: "a/b", payload: S.buffer(Array("hi".utf8)),
                                                    qos: .atLeastOnce, retain: true, dup: true, packetID: 7)))
    }

    func testPublishTruncatedTopic() {
        assertDecodeError([0x30, 0x03, 0x00, 0x05, 0x61], version: .v3_1_1, .malformedPacket)
    }

    func testPublishTruncatedPacketID() {
        assertDecodeError(S.packet(0x32, S.string("t") + [0x00]), version: .v3_1_1, .malformedPacket)
    }

    func testPublishTopicWithNullIsMalformed() {
        // MQTT-1.5.4-2: U+0000 in any UTF-8 string is a malformed packet.
        assertDecodeError(S.packet(0x30, [0x00, 0x03, 0x61, 0x00, 0x62]), version: .v3_1_1, .malformedPacket)
    }

    func testWillTopicWithNullIsMalformed() {
        let payload = S.string("c1") + [0x00, 0x03, 0x61, 0x00, 0x62] + S.string("m")
        assertDecodeError(connect(flags: 0x06, payload: payload), version: nil, .malformedPacket)
    }

    func testPublishTopicOverLevelLimit() {
        let deep = Array(repeating: "a", count: Topic.maxLevels + 1).joined(separator: "/")
        assertDecodeError(RawPacket.make(0x30, S.string(deep)), version: .v3_1_1, .topicNameInvalid)
    }

    func testPublishTopicWithPlus() {
        assertDecodeError(S.packet(0x30, S.string("a/+")), version: .v3_1_1, .topicNameInvalid)
    }

    func testPublishTopicWithHash() {
        assertDecodeError(publish5(topic: "a/#", properties: []), .topicNameInvalid)
    }

    func testPublishTopicWithInvalidUTF8() {
        assertDecodeError(S.packet(0x30, [0x00, 0x02, 0xC3, 0x28]), version: .v3_1_1, .malformedPacket)
    }

    func testPublishEmptyTopicIn311() {
        assertDecodeError(S.packet(0x30, S.string("")), version: .v3_1_1, .topicNameInvalid)
    }

    func testPublishEmptyTopicIn5WithoutAlias() {
        assertDecodeError(publish5(topic: "", properties: []), .topicNameInvalid)
    }

    func testPublishEmptyTopicIn5WithAlias() throws {
        let packet = try decodeOne(publish5(topic: "", properties: [0x23, 0x00, 0x02]))
        var properties = MQTTProperties()
        properties.topicAlias = 2
        XCTAssertEqual(packet, .publish(MQTTPublish(topic: "", payload: S.buffer([0x68]), properties: properties)))
    }

    func testPublishPacketIDZero() {
        assertDecodeError(S.packet(0x32, S.string("t") + [0x00, 0x00]), version: .v3_1_1, .malformedPacket)
    }

    func testPublishEmptyPayload() throws {
        XCTAssertEqual(try decodeOne(S.packet(0x30, S.string("t")), version: .v3_1_1),
                       .publish(MQTTPublish(topic: "t", payload: ByteBuffer())))
    }

    func testPublishPayloadDeclaredUTF8ButInvalid() {
        assertDecodeError(publish5(properties: [0x01, 0x01], payload: [0xE2, 0x28, 0xA1]), .payloadFormatInvalid)
    }

    func testPublishPayloadDeclaredUTF8AndValid() throws {
        guard case .publish(let p) = try decodeOne(publish5(properties: [0x01, 0x01], payload: Array("ok ✓".utf8)))
        else { return XCTFail("not a PUBLISH") }
        XCTAssertEqual(p.properties.payloadFormatIndicator, 1)
    }

    func testPublishPayloadFormatIndicatorTwo() {
        assertDecodeError(publish5(properties: [0x01, 0x02]), .protocolError)
    }

    func testPublishDuplicateProperty() {
        assertDecodeError(publish5(properties: [0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2]), .protocolError)
    }

    func testPublishDisallowedProperty() {
        assertDecodeError(publish5(properties: [0x11, 0, 0, 0, 1]), .malformedPacket)
    }

    func testPublishUnknownProperty() {
        assertDecodeError(publish5(properties: [0x05, 0x00]), .malformedPacket)
    }

    func testPublishSubscriptionIdentifierZero() {
        assertDecodeError(publish5(properties: [0x0B, 0x00]), .protocolError)
    }

    func testPublishPropertyLengthBeyondPacket() {
        assertDecodeError(S.packet(0x30, S.string("t") + [0x10, 0x01, 0x01]), .malformedPacket)
    }

    func testPublishPropertyLengthWithFiveByteVBI() {
        assertDecodeError(S.packet(0x30, S.string("t") + [0x80, 0x80, 0x80, 0x80, 0x01]), .malformedPacket)
    }

    func testPublishSubscriptionIdentifierWithFiveByteVBI() {
        assertDecodeError(publish5(properties: [0x0B, 0x80, 0x80, 0x80, 0x80, 0x01]), .malformedPacket)
    }

    func testPublishResponseTopicWithWildcard() {
        assertDecodeError(publish5(properties: [0x08] + S.string("r/#")), .protocolError)
    }

    func testPublishTruncatedPropertyValue() {
        assertDecodeError(publish5(properties: [0x02, 0x00, 0x00]), .malformedPacket)
    }

    // MARK: Acknowledgements

    func testAckShortFormsIn5() throws {
        XCTAssertEqual(try decodeOne([0x40, 0x02, 0x00, 0x01]), .puback(MQTTPubAck(packetID: 1)))
        XCTAssertEqual(try decodeOne([0x50, 0x03, 0x00, 0x01, 0x10]),
                       .pubrec(MQTTPubAck(packetID: 1, reasonCode: .noMatchingSubscribers)))
        XCTAssertEqual(try decodeOne([0x62, 0x04, 0x00, 0x01, 0x92, 0x00]),
                       .pubrel(MQTTPubAck(packetID: 1, reasonCode: .packetIdentifierNotFound)))
        XCTAssertEqual(try decodeOne([0x70, 0x02, 0x00, 0x01]), .pubcomp(MQTTPubAck(packetID: 1)))
        XCTAssertEqual(try decodeOne([0xE0, 0x00]), .disconnect(MQTTDisconnect()))
        XCTAssertEqual(try decodeOne([0xE0, 0x01, 0x04]), .disconnect(MQTTDisconnect(reasonCode: .disconnectWithWill)))
        XCTAssertEqual(try decodeOne([0xF0, 0x00]), .auth(MQTTAuth()))
    }

    func testPubAckUndefinedReasonCode() {
        assertDecodeError([0x40, 0x03, 0x00, 0x01, 0x05], .protocolError)
    }

    func testPubRelReasonCodeOfPubAck() {
        assertDecodeError([0x62, 0x03, 0x00, 0x01, 0x10], .protocolError)
    }

    func testPubAckPacketIDZero() {
        assertDecodeError([0x40, 0x02, 0x00, 0x00], .malformedPacket)
    }

    func testDisconnectUndefinedReasonCode() {
        assertDecodeError([0xE0, 0x01, 0x91], .protocolError)
    }

    func testDisconnectDisallowedProperty() {
        assertDecodeError([0xE0, 0x04, 0x00, 0x02, 0x23, 0x00], .malformedPacket)
    }

    func testAuthUndefinedReasonCode() {
        assertDecodeError([0xF0, 0x01, 0x01], .protocolError)
    }

    func testConnAckReservedFlags() {
        assertDecodeError([0x20, 0x02, 0x02, 0x00], version: .v3_1_1, .malformedPacket)
    }

    func testConnAckUnknownReturnCodeIn311() {
        assertDecodeError([0x20, 0x02, 0x00, 0x06], version: .v3_1_1, .malformedPacket)
    }

    func testConnAckUndefinedReasonCodeIn5() {
        assertDecodeError([0x20, 0x03, 0x00, 0x8B, 0x00], .protocolError)
    }

    func testConnAck311ReturnCodesMapToReasonCodes() throws {
        let expected: [MQTTReasonCode] = [.success, .unsupportedProtocolVersion, .clientIdentifierNotValid,
                                          .serverUnavailable, .badUserNameOrPassword, .notAuthorized]
        for (code, reason) in expected.enumerated() {
            XCTAssertEqual(try decodeOne([0x20, 0x02, 0x00, UInt8(code)], version: .v3_1_1),
                           .connack(MQTTConnAck(reasonCode: reason)))
        }
    }

    func testSubAckUnknownReturnCodeIn311() {
        assertDecodeError([0x90, 0x03, 0x00, 0x01, 0x03], version: .v3_1_1, .malformedPacket)
    }

    func testSubAckWithoutReturnCodes() {
        assertDecodeError([0x90, 0x02, 0x00, 0x01], version: .v3_1_1, .malformedPacket)
    }

    func testUnsubAckUndefinedReasonCode() {
        assertDecodeError([0xB0, 0x04, 0x00, 0x01, 0x00, 0x02], .protocolError)
    }

    // MARK: SUBSCRIBE / UNSUBSCRIBE

    func testSubscribeOptionsIn5() throws {
        let packet = try decodeOne(subscribe(S.string("a/+") + [0x2E] + S.string("$share/g/b") + [0x00],
                                             properties: [0x0B, 0x05]))
        var properties = MQTTProperties()
        properties.subscriptionIdentifiers = [5]
        XCTAssertEqual(packet, .subscribe(MQTTSubscribe(packetID: 1, subscriptions: [
            MQTTSubscription(filter: "a/+", qos: .exactlyOnce, noLocal: true, retainAsPublished: true, retainHandling: 2),
            MQTTSubscription(filter: "$share/g/b", qos: .atMostOnce),
        ], properties: properties)))
    }

    func testSubscribeInvalidFilterIsLeftToTheSession() throws {
        guard case .subscribe(let s) = try decodeOne(subscribe(S.string("a/#/b") + [0x01], properties: [])) else {
            return XCTFail("not a SUBSCRIBE")
        }
        XCTAssertEqual(s.subscriptions.map(\.filter), ["a/#/b"])
    }

    func testSubscribeEmpty() {
        assertDecodeError(subscribe([], properties: []), .protocolError)
    }

    func testSubscribeEmptyIn311() {
        assertDecodeError(subscribe([]), version: .v3_1_1, .protocolError)
    }

    func testSubscribePacketIDZero() {
        assertDecodeError(subscribe(S.string("a") + [0x00], packetID: 0), version: .v3_1_1, .malformedPacket)
    }

    func testSubscribeReservedOptionBitsIn5() {
        assertDecodeError(subscribe(S.string("a") + [0x40], properties: []), .malformedPacket)
    }

    func testSubscribeRetainHandling3() {
        assertDecodeError(subscribe(S.string("a") + [0x30], properties: []), .protocolError)
    }

    func testSubscribeQoS3In5() {
        assertDecodeError(subscribe(S.string("a") + [0x03], properties: []), .protocolError)
    }

    func testSubscribeUpperOptionBitsIn311() {
        assertDecodeError(subscribe(S.string("a") + [0x04]), version: .v3_1_1, .malformedPacket)
    }

    func testSubscribeQoS3In311() {
        assertDecodeError(subscribe(S.string("a") + [0x03]), version: .v3_1_1, .malformedPacket)
    }

    func testSubscribeMissingOptionsByte() {
        assertDecodeError(subscribe(S.string("a")), version: .v3_1_1, .malformedPacket)
    }

    func testSubscribeFilterWithNull() {
        assertDecodeError(subscribe([0x00, 0x01, 0x00, 0x01]), version: .v3_1_1, .malformedPacket)
    }

    func testSubscribeTwoSubscriptionIdentifiers() {
        assertDecodeError(subscribe(S.string("a") + [0x00], properties: [0x0B, 0x01, 0x0B, 0x02]), .protocolError)
    }

    func testSubscribeDisallowedProperty() {
        assertDecodeError(subscribe(S.string("a") + [0x00], properties: [0x1F] + S.string("x")), .malformedPacket)
    }

    func testUnsubscribeEmpty() {
        assertDecodeError(S.packet(0xA2, [0x00, 0x01, 0x00]), .protocolError)
    }

    func testUnsubscribeEmptyIn311() {
        assertDecodeError(S.packet(0xA2, [0x00, 0x01]), version: .v3_1_1, .protocolError)
    }

    func testUnsubscribeTruncatedFilter() {
        assertDecodeError(S.packet(0xA2, [0x00, 0x01, 0x00, 0x05, 0x61]), version: .v3_1_1, .malformedPacket)
    }

    func testErrorsCarryReasonCodes() {
        XCTAssertEqual(MQTTDecodeError(.malformedPacket, "").reasonCode.rawValue, 0x81)
        XCTAssertEqual(MQTTDecodeError(.protocolError, "").reasonCode.rawValue, 0x82)
        XCTAssertEqual(MQTTDecodeError(.topicNameInvalid, "").reasonCode.rawValue, 0x90)
        XCTAssertEqual(MQTTDecodeError(.packetTooLarge, "").reasonCode.rawValue, 0x95)
    }
}
