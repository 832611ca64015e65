import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

/// Bad input, end to end through decoder and state machine: each case asserts the exact reply
/// (CONNACK or DISCONNECT with its code) or a bare close, the way mosquitto's 13-malformed tests do.
final class MQTTMalformedInputTests: XCTestCase {
    enum Expect: Equatable {
        case connack(UInt8)
        case disconnect(UInt8)
        case closeOnly
        case reply(MQTTPacket)
    }

    private func connected(_ version: MQTTProtocolVersion, configuration: MQTTServerConfiguration = .init(),
                           authorizer: any Authorizer = AllowAllAuthorizer()) -> MQTTTestConnection {
        var c = MQTTTestConnection(configuration: configuration, authorizer: authorizer)
        let out = c.connect(MQTTConnect(protocolVersion: version, clientID: "c1"))
        XCTAssertEqual(out.sent.count, 1)
        XCTAssertTrue(c.machine.isConnected)
        return c
    }

    private func check(_ out: MQTTTestConnection.Outcome, _ expect: Expect, file: StaticString = #filePath, line: UInt = #line) {
        switch expect {
        case .connack(let code):
            guard out.sent.count == 1, case .connack(let ack) = out.sent[0] else {
                return XCTFail("expected CONNACK \(code), got \(out.sent)", file: file, line: line)
            }
            XCTAssertEqual(ack.reasonCode.rawValue, code, file: file, line: line)
            XCTAssertTrue(out.closed, "connection must close after a refusing CONNACK", file: file, line: line)
        case .disconnect(let code):
            guard out.sent.count == 1, case .disconnect(let d) = out.sent[0] else {
                return XCTFail("expected DISCONNECT \(code), got \(out.sent)", file: file, line: line)
            }
            XCTAssertEqual(d.reasonCode.rawValue, code, file: file, line: line)
            XCTAssertTrue(out.closed, file: file, line: line)
        case .closeOnly:
            XCTAssertEqual(out.sent.count, 0, "expected no reply, got \(out.sent)", file: file, line: line)
            XCTAssertTrue(out.closed, file: file, line: line)
        case .reply(let packet):
            XCTAssertEqual(out.sent, [packet], file: file, line: line)
            XCTAssertFalse(out.closed, file: file, line: line)
        }
        XCTAssertTrue(out.published.isEmpty, "malformed input must not route anything", file: file, line: line)
    }

    private func fresh(_ bytes: [UInt8], _ expect: Expect, file: StaticString = #filePath, line: UInt = #line) {
        var c = MQTTTestConnection()
        check(c.feed(bytes: bytes), expect, file: file, line: line)
    }

    private func v5(_ bytes: [UInt8], _ expect: Expect, configuration: MQTTServerConfiguration = .init(),
                    file: StaticString = #filePath, line: UInt = #line) {
        var c = connected(.v5, configuration: configuration)
        check(c.feed(bytes: bytes), expect, file: file, line: line)
    }

    private func v311(_ bytes: [UInt8], _ expect: Expect, configuration: MQTTServerConfiguration = .init(),
                      file: StaticString = #filePath, line: UInt = #line) {
        var c = connected(.v3_1_1, configuration: configuration)
        check(c.feed(bytes: bytes), expect, file: file, line: line)
    }

    private let publishBody = RawPacket.string("t") + [0x00] + Array("x".utf8) // v5: topic, empty properties, payload

    // MARK: - Before and at CONNECT

    func testPublishBeforeConnectCloses() { fresh(RawPacket.make(0x30, RawPacket.string("t") + [0x41]), .closeOnly) }
    func testPingBeforeConnectCloses() { fresh([0xC0, 0x00], .closeOnly) }
    func testSubscribeBeforeConnectCloses() { fresh(RawPacket.make(0x82, [0, 1] + RawPacket.string("a") + [0]), .closeOnly) }
    func testUnknownProtocolLevelGetsReturnCode1() { fresh(RawPacket.connect(level: 6), .connack(0x84)) }
    func testUnknownProtocolNameGetsReturnCode1() { fresh(RawPacket.connect(name: "MQTX", level: 4), .connack(0x84)) }
    func testReservedConnectFlagCloses() { fresh(RawPacket.connect(flags: 0x03), .closeOnly) }
    func testWillQoS3Closes() {
        fresh(RawPacket.connect(flags: 0x1E, payload: RawPacket.string("c") + RawPacket.string("w") + RawPacket.string("x")), .closeOnly)
    }
    func testWillRetainWithoutWillFlagCloses() { fresh(RawPacket.connect(flags: 0x22), .closeOnly) }
    func testPasswordWithoutUsernameCloses311() {
        fresh(RawPacket.connect(flags: 0x42, payload: RawPacket.string("c") + RawPacket.string("pw")), .closeOnly)
    }
    func testZeroReceiveMaximumInConnectCloses() { fresh(RawPacket.connect(level: 5, properties: [0x21, 0x00, 0x00]), .closeOnly) }
    func testDuplicatePropertyInConnectCloses() {
        fresh(RawPacket.connect(level: 5, properties: [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2]), .closeOnly)
    }
    func testEmptyClientIDWithoutCleanSession311() {
        fresh(RawPacket.connect(flags: 0x00, payload: RawPacket.string("")), .connack(0x85))
    }
    func testEmptyClientID31IsRejected() {
        fresh(RawPacket.connect(name: "MQIsdp", level: 3, flags: 0x02, payload: RawPacket.string("")), .connack(0x85))
    }
    func testAuthenticationMethodIsRefused() {
        fresh(RawPacket.connect(level: 5, properties: [0x15] + RawPacket.string("SCRAM")), .connack(0x8C))
    }
    func testKeepAliveAboveMaximumRefused311() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maxKeepAlive: 60))
        check(c.feed(bytes: RawPacket.connect(keepAlive: 120)), .connack(0x85))
    }
    func testOversizedConnectCloses() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maximumPacketSize: 64))
        check(c.feed(bytes: RawPacket.connect(payload: RawPacket.string(String(repeating: "x", count: 100)))), .closeOnly)
    }

    // MARK: - After CONNECT, 5.0 replies with DISCONNECT and a reason code

    func testSecondConnect5() { v5(RawPacket.connect(level: 5), .disconnect(0x82)) }
    func testSecondConnect311() { v311(RawPacket.connect(), .closeOnly) }
    func testFiveByteRemainingLength5() { v5([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], .disconnect(0x81)) }
    func testFiveByteRemainingLength311() { v311([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], .closeOnly) }
    func testPacketTypeZero() { v5([0x00, 0x00], .disconnect(0x81)) }
    func testPubrelWrongFlags() { v5([0x60, 0x02, 0x00, 0x01], .disconnect(0x81)) }
    func testSubscribeWrongFlags() { v5(RawPacket.make(0x80, [0, 1, 0] + RawPacket.string("a") + [0]), .disconnect(0x81)) }
    func testPingreqWithFlags() { v5([0xC1, 0x00], .disconnect(0x81)) }
    func testPublishQoS3() { v5(RawPacket.make(0x36, RawPacket.string("t") + [0, 1, 0]), .disconnect(0x81)) }
    func testPublishQoS0WithDup() { v5(RawPacket.make(0x38, publishBody), .disconnect(0x81)) }
    func testPublishPacketIDZero() { v5(RawPacket.make(0x32, RawPacket.string("t") + [0, 0, 0]), .disconnect(0x81)) }
    func testPublishWildcardPlus5() { v5(RawPacket.make(0x30, RawPacket.string("a/+") + [0]), .disconnect(0x90)) }
    func testPublishWildcardHash5() { v5(RawPacket.make(0x30, RawPacket.string("a/#") + [0]), .disconnect(0x90)) }
    func testPublishWildcard311() { v311(RawPacket.make(0x30, RawPacket.string("a/+") + [0x41]), .closeOnly) }
    // MQTT-1.5.4-2: U+0000 in a UTF-8 string is a malformed packet, topic names included.
    func testPublishNullInTopic() { v5(RawPacket.make(0x30, RawPacket.bytesString([0x61, 0x00]) + [0]), .disconnect(0x81)) }
    func testPublishNullInTopic311() { v311(RawPacket.make(0x30, RawPacket.bytesString([0x61, 0x00]) + [0x41]), .closeOnly) }
    func testPublishTopicOverLevelLimit() {
        let deep = Array(repeating: "a", count: Topic.maxLevels + 1).joined(separator: "/")
        v5(RawPacket.make(0x30, RawPacket.string(deep) + [0]), .disconnect(0x90))
    }
    func testPublishTopicAtLevelLimitIsRouted() {
        var c = connected(.v5)
        let deep = Array(repeating: "a", count: Topic.maxLevels).joined(separator: "/")
        let out = c.feed(bytes: RawPacket.make(0x30, RawPacket.string(deep) + [0]))
        XCTAssertEqual(out.published.map(\.topic), [deep])
        XCTAssertFalse(out.closed)
    }
    func testPublishOverlongUTF8() { v5(RawPacket.make(0x30, RawPacket.bytesString([0xC0, 0xAF]) + [0]), .disconnect(0x81)) }
    func testPublishSurrogateUTF8() { v5(RawPacket.make(0x30, RawPacket.bytesString([0xED, 0xA0, 0x80]) + [0]), .disconnect(0x81)) }
    func testPublishLoneContinuationByte() { v5(RawPacket.make(0x30, RawPacket.bytesString([0x80]) + [0]), .disconnect(0x81)) }
    func testTopicLengthBeyondPacket() { v5(RawPacket.make(0x30, [0x00, 0x20, 0x61]), .disconnect(0x81)) }
    func testDuplicateMessageExpiry() {
        v5(RawPacket.make(0x30, RawPacket.string("t") + [10, 0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2]), .disconnect(0x82))
    }
    func testUnknownPropertyID() { v5(RawPacket.make(0x30, RawPacket.string("t") + [2, 0x7F, 0]), .disconnect(0x81)) }
    func testPropertyNotAllowedInPublish() {
        v5(RawPacket.make(0x30, RawPacket.string("t") + [5, 0x11, 0, 0, 0, 1]), .disconnect(0x81))
    }
    func testPayloadFormatInvalid() {
        v5(RawPacket.make(0x30, RawPacket.string("t") + [2, 0x01, 0x01] + [0xFF, 0xFE]), .disconnect(0x99))
    }
    func testPacketOverMaximumSize() {
        v5(RawPacket.make(0x30, RawPacket.string("t") + [0] + Array(repeating: 0x41, count: 300)), .disconnect(0x95),
           configuration: MQTTServerConfiguration(maximumPacketSize: 128))
    }
    func testPacketOverMaximumSize311() {
        v311(RawPacket.make(0x30, RawPacket.string("t") + Array(repeating: 0x41, count: 300)), .closeOnly,
             configuration: MQTTServerConfiguration(maximumPacketSize: 128))
    }
    func testTopicAliasZero() { v5(RawPacket.make(0x30, RawPacket.string("t") + [3, 0x23, 0, 0]), .disconnect(0x94)) }
    func testTopicAliasAboveMaximum() { v5(RawPacket.make(0x30, RawPacket.string("t") + [3, 0x23, 0, 11]), .disconnect(0x94)) }
    func testUnknownTopicAlias() { v5(RawPacket.make(0x30, RawPacket.string("") + [3, 0x23, 0, 1]), .disconnect(0x82)) }
    func testEmptyTopicWithoutAlias() { v5(RawPacket.make(0x30, RawPacket.string("") + [0]), .disconnect(0x90)) }
    func testAuthPacketWithoutMethod() { v5([0xF0, 0x00], .disconnect(0x82)) }
    func testConnackFromClient() { v5([0x20, 0x03, 0x00, 0x00, 0x00], .disconnect(0x82)) }
    func testPingrespFromClient() { v5([0xD0, 0x00], .disconnect(0x82)) }
    func testEmptySubscribe() { v5(RawPacket.make(0x82, [0, 1, 0]), .disconnect(0x82)) }
    func testEmptyUnsubscribe() { v5(RawPacket.make(0xA2, [0, 1, 0]), .disconnect(0x82)) }
    func testSubscribeReservedOptionBits() { v5(RawPacket.make(0x82, [0, 1, 0] + RawPacket.string("a") + [0xC0]), .disconnect(0x81)) }
    func testSubscribeRetainHandling3() { v5(RawPacket.make(0x82, [0, 1, 0] + RawPacket.string("a") + [0x30]), .disconnect(0x82)) }
    func testSubscriptionIdentifierZero() { v5(RawPacket.make(0x82, [0, 1, 2, 0x0B, 0] + RawPacket.string("a") + [0]), .disconnect(0x82)) }
    func testSharedSubscriptionWithNoLocal() {
        v5(RawPacket.make(0x82, [0, 1, 0] + RawPacket.string("$share/g/a") + [0x04]), .disconnect(0x82))
    }
    func testSessionExpiryRaisedAtDisconnect() { v5([0xE0, 0x07, 0x00, 0x05, 0x11, 0, 0, 0, 9], .disconnect(0x82)) }

    // MARK: - Refusals that keep the connection

    func testInvalidFilterGetsSubackFailure5() {
        v5(RawPacket.make(0x82, [0, 7, 0] + RawPacket.string("a/#/b") + [1]),
           .reply(.suback(MQTTSubAck(packetID: 7, reasonCodes: [.topicFilterInvalid]))))
    }
    func testInvalidFilterGetsSubackFailure311() {
        v311(RawPacket.make(0x82, [0, 7] + RawPacket.string("a+") + [1]),
             .reply(.suback(MQTTSubAck(packetID: 7, reasonCodes: [.unspecifiedError]))))
    }
    func testFilterOverLevelLimitGetsSubackFailure5() {
        let deep = Array(repeating: "+", count: Topic.maxLevels + 1).joined(separator: "/")
        v5(RawPacket.make(0x82, [0, 7, 0] + RawPacket.string(deep) + [1]),
           .reply(.suback(MQTTSubAck(packetID: 7, reasonCodes: [.topicFilterInvalid]))))
    }
    func testFilterOverLevelLimitGetsSubackFailure311() {
        let deep = Array(repeating: "a", count: 65_535 / 2).joined(separator: "/")
        v311(RawPacket.make(0x82, [0, 7] + RawPacket.string(deep) + [1]),
             .reply(.suback(MQTTSubAck(packetID: 7, reasonCodes: [.unspecifiedError]))))
    }
    func testSharedFilterOverLevelLimitGetsSubackFailure5() {
        let deep = "$share/g/" + Array(repeating: "a", count: Topic.maxLevels + 1).joined(separator: "/")
        v5(RawPacket.make(0x82, [0, 7, 0] + RawPacket.string(deep) + [1]),
           .reply(.suback(MQTTSubAck(packetID: 7, reasonCodes: [.topicFilterInvalid]))))
    }
    func testPubrelForUnknownPacketID5() {
        v5([0x62, 0x02, 0x00, 0x09], .reply(.pubcomp(MQTTPubAck(packetID: 9, reasonCode: .packetIdentifierNotFound))))
    }

    func testReceiveMaximumExceeded() {
        var c = connected(.v5, configuration: MQTTServerConfiguration(receiveMaximum: 2))
        for id: UInt8 in 1...2 {
            let out = c.feed(bytes: RawPacket.make(0x34, RawPacket.string("t") + [0, id, 0]))
            XCTAssertEqual(out.published.count, 1)
            XCTAssertFalse(out.closed)
        }
        check(c.feed(bytes: RawPacket.make(0x34, RawPacket.string("t") + [0, 3, 0])), .disconnect(0x93))
    }

    func testDecodingStopsAfterAClose() {
        var c = connected(.v5)
        // A valid PUBLISH queued behind a bad packet must not be routed.
        let out = c.feed(bytes: [0x00, 0x00] + RawPacket.make(0x30, publishBody))
        check(out, .disconnect(0x81))
    }
}
