import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

private typealias S = MQTTCodecTestSupport

final class MQTTPacketEncoderTests: XCTestCase {
    private let versions: [MQTTProtocolVersion] = [.v3_1_1, .v5]

    // MARK: Round trips, every packet type

    func testConnectRoundTrips() {
        let will = MQTTWill(topic: "status/c1", payload: S.buffer(Array("offline".utf8)), qos: .atLeastOnce, retain: true)
        for version in [MQTTProtocolVersion.v3_1, .v3_1_1, .v5] {
            assertRoundTrip(.connect(MQTTConnect(protocolVersion: version, clientID: "c1")), version)
            assertRoundTrip(.connect(MQTTConnect(protocolVersion: version, clientID: "client-ü", cleanStart: false,
                                                 keepAlive: 0xFFFF, username: "user", password: [0, 1, 255],
                                                 will: will)), version)
        }
    }

    func testConnectV5WithEveryProperty() {
        var will = MQTTWill(topic: "w", payload: S.buffer(Array("bye".utf8)), qos: .exactlyOnce, retain: false)
        will.properties = S.properties(allowedIn: .will)
        let packet = MQTTPacket.connect(MQTTConnect(protocolVersion: .v5, clientID: "c", password: [7], will: will,
                                                    properties: S.properties(allowedIn: .connect)))
        assertRoundTrip(packet, .v5)
    }

    func testConnAckRoundTrips() {
        for version in versions {
            for code in [MQTTReasonCode.success, .unsupportedProtocolVersion, .clientIdentifierNotValid,
                         .serverUnavailable, .badUserNameOrPassword, .notAuthorized] {
                assertRoundTrip(.connack(MQTTConnAck(sessionPresent: code == .success, reasonCode: code)), version)
            }
        }
        assertRoundTrip(.connack(MQTTConnAck(reasonCode: .quotaExceeded, properties: S.properties(allowedIn: .connack))), .v5)
    }

    func testPublishRoundTrips() {
        for version in versions {
            assertRoundTrip(.publish(MQTTPublish(topic: "a/b", payload: ByteBuffer())), version)
            assertRoundTrip(.publish(MQTTPublish(topic: "a/b", payload: S.buffer([1, 2, 3]), qos: .atLeastOnce,
                                                 retain: true, dup: true, packetID: 1)), version)
            assertRoundTrip(.publish(MQTTPublish(topic: "ü/$x", payload: S.buffer(Array(repeating: 9, count: 70_000)),
                                                 qos: .exactlyOnce, packetID: 0xFFFF)), version)
        }
    }

    func testPublishV5WithEveryPropertyAndRepeatedOnes() {
        let properties = S.properties(allowedIn: .publish)
        XCTAssertEqual(properties.subscriptionIdentifiers.count, 3)
        XCTAssertEqual(properties.userProperties.count, 3)
        assertRoundTrip(.publish(MQTTPublish(topic: "t", payload: S.buffer(Array("✓ utf8".utf8)), qos: .atLeastOnce,
                                             packetID: 42, properties: properties)), .v5)
    }

    func testPubAckFamilyRoundTrips() {
        for version in versions {
            assertRoundTrip(.puback(MQTTPubAck(packetID: 1)), version)
            assertRoundTrip(.pubrec(MQTTPubAck(packetID: 2)), version)
            assertRoundTrip(.pubrel(MQTTPubAck(packetID: 3)), version)
            assertRoundTrip(.pubcomp(MQTTPubAck(packetID: 0xFFFF)), version)
        }
        let properties = S.properties(allowedIn: .ack)
        assertRoundTrip(.puback(MQTTPubAck(packetID: 1, reasonCode: .noMatchingSubscribers)), .v5)
        assertRoundTrip(.puback(MQTTPubAck(packetID: 1, reasonCode: .quotaExceeded, properties: properties)), .v5)
        assertRoundTrip(.pubrec(MQTTPubAck(packetID: 2, reasonCode: .payloadFormatInvalid, properties: properties)), .v5)
        assertRoundTrip(.pubrel(MQTTPubAck(packetID: 3, reasonCode: .packetIdentifierNotFound, properties: properties)), .v5)
        assertRoundTrip(.pubcomp(MQTTPubAck(packetID: 4, properties: properties)), .v5)
    }

    func testSubscribeRoundTrips() {
        let plain = [MQTTSubscription(filter: "a/+", qos: .atMostOnce), MQTTSubscription(filter: "#", qos: .exactlyOnce)]
        for version in versions {
            assertRoundTrip(.subscribe(MQTTSubscribe(packetID: 10, subscriptions: plain)), version)
        }
        let rich = [MQTTSubscription(filter: "$share/g/x", qos: .atLeastOnce, noLocal: false, retainAsPublished: true,
                                     retainHandling: 1),
                    MQTTSubscription(filter: "y", qos: .exactlyOnce, noLocal: true, retainHandling: 2)]
        assertRoundTrip(.subscribe(MQTTSubscribe(packetID: 11, subscriptions: rich,
                                                 properties: S.properties(allowedIn: .subscribe))), .v5)
        // 3.1.1 has no subscription options beyond QoS.
        assertRoundTrip(.subscribe(MQTTSubscribe(packetID: 11, subscriptions: rich)), .v3_1_1,
                        expecting: .subscribe(MQTTSubscribe(packetID: 11, subscriptions: [
                            MQTTSubscription(filter: "$share/g/x", qos: .atLeastOnce),
                            MQTTSubscription(filter: "y", qos: .exactlyOnce)])))
    }

    func testSubAckRoundTrips() {
        for version in versions {
            assertRoundTrip(.suback(MQTTSubAck(packetID: 1, reasonCodes: [.grantedQoS0, .grantedQoS1, .grantedQoS2,
                                                                          .unspecifiedError])), version)
        }
        assertRoundTrip(.suback(MQTTSubAck(packetID: 2, reasonCodes: [.topicFilterInvalid, .wildcardSubscriptionsNotSupported],
                                           properties: S.properties(allowedIn: .suback))), .v5)
    }

    func testUnsubscribeRoundTrips() {
        for version in versions {
            assertRoundTrip(.unsubscribe(MQTTUnsubscribe(packetID: 3, filters: ["a/+", "b/#", "c"])), version)
        }
        assertRoundTrip(.unsubscribe(MQTTUnsubscribe(packetID: 3, filters: ["a"],
                                                     properties: S.properties(allowedIn: .unsubscribe))), .v5)
    }

    func testUnsubAckRoundTrips() {
        assertRoundTrip(.unsuback(MQTTUnsubAck(packetID: 4)), .v3_1_1)
        assertRoundTrip(.unsuback(MQTTUnsubAck(packetID: 4, reasonCodes: [.success, .noSubscriptionExisted])), .v5)
        assertRoundTrip(.unsuback(MQTTUnsubAck(packetID: 4, reasonCodes: [.notAuthorized],
                                               properties: S.properties(allowedIn: .unsuback))), .v5)
    }

    func testPingRoundTrips() {
        for version in versions {
            assertRoundTrip(.pingreq, version)
            assertRoundTrip(.pingresp, version)
        }
    }

    func testDisconnectRoundTrips() {
        for version in versions {
            assertRoundTrip(.disconnect(MQTTDisconnect()), version)
        }
        assertRoundTrip(.disconnect(MQTTDisconnect(reasonCode: .disconnectWithWill)), .v5)
        assertRoundTrip(.disconnect(MQTTDisconnect(reasonCode: .serverMoved,
                                                   properties: S.properties(allowedIn: .disconnect))), .v5)
    }

    func testAuthRoundTrips() {
        assertRoundTrip(.auth(MQTTAuth()), .v5)
        assertRoundTrip(.auth(MQTTAuth(reasonCode: .continueAuthentication, properties: S.properties(allowedIn: .auth))), .v5)
        assertRoundTrip(.auth(MQTTAuth(reasonCode: .reAuthenticate)), .v5)
    }

    // MARK: Golden bytes

    func testConnect311AsMosquittoPubSendsIt() throws {
        // mosquitto_pub -V mqttv311 -i client1 -t test -m hello: clean session, keep alive 60.
        let wire: [UInt8] = [0x10, 0x13, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C,
                             0x00, 0x07, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74, 0x31]
        let packet = MQTTPacket.connect(MQTTConnect(protocolVersion: .v3_1_1, clientID: "client1"))
        XCTAssertEqual(S.encode(packet, .v3_1_1), wire)
        XCTAssertEqual(try decodeOne(wire, version: nil), packet)
    }

    func testConnect5AsMosquittoPubSendsIt() throws {
        let wire: [UInt8] = [0x10, 0x14, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3C, 0x00,
                             0x00, 0x07, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74, 0x31]
        let packet = MQTTPacket.connect(MQTTConnect(protocolVersion: .v5, clientID: "client1"))
        XCTAssertEqual(S.encode(packet, .v5), wire)
        XCTAssertEqual(try decodeOne(wire, version: nil), packet)
    }

    func testConnect31Golden() {
        let packet = MQTTPacket.connect(MQTTConnect(protocolVersion: .v3_1, clientID: "c", keepAlive: 10))
        XCTAssertEqual(S.encode(packet, .v3_1),
                       [0x10, 0x0F, 0x00, 0x06] + Array("MQIsdp".utf8) + [0x03, 0x02, 0x00, 0x0A, 0x00, 0x01, 0x63])
    }

    func testPublishQoS1Golden() throws {
        let wire: [UInt8] = [0x32, 0x09, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, 0x68, 0x69]
        let packet = MQTTPacket.publish(MQTTPublish(topic: "a/b", payload: S.buffer(Array("hi".utf8)),
                                                    qos: .atLeastOnce, packetID: 10))
        XCTAssertEqual(S.encode(packet, .v3_1_1), wire)
        XCTAssertEqual(try decodeOne(wire, version: .v3_1_1), packet)
    }

    func testPublish5WithMessageExpiryGolden() throws {
        var properties = MQTTProperties()
        properties.messageExpiryInterval = 60
        let wire: [UInt8] = [0x30, 0x0A, 0x00, 0x01, 0x74, 0x05, 0x02, 0x00, 0x00, 0x00, 0x3C, 0x78]
        let packet = MQTTPacket.publish(MQTTPublish(topic: "t", payload: S.buffer([0x78]), properties: properties))
        XCTAssertEqual(S.encode(packet, .v5), wire)
        XCTAssertEqual(try decodeOne(wire), packet)
    }

    func testSubscribeGolden() {
        let packet = MQTTPacket.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "a/b", qos: .atLeastOnce)]))
        XCTAssertEqual(S.encode(packet, .v3_1_1), [0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x01])
        let rich = MQTTPacket.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [
            MQTTSubscription(filter: "a", qos: .exactlyOnce, noLocal: true, retainAsPublished: true, retainHandling: 2)]))
        XCTAssertEqual(S.encode(rich, .v5), [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x2E])
    }

    func testSmallPacketsGolden() {
        XCTAssertEqual(S.encode(.pingreq, .v3_1_1), [0xC0, 0x00])
        XCTAssertEqual(S.encode(.pingresp, .v5), [0xD0, 0x00])
        XCTAssertEqual(S.encode(.connack(MQTTConnAck()), .v3_1_1), [0x20, 0x02, 0x00, 0x00])
        XCTAssertEqual(S.encode(.connack(MQTTConnAck(sessionPresent: true)), .v5), [0x20, 0x03, 0x01, 0x00, 0x00])
        XCTAssertEqual(S.encode(.pubrel(MQTTPubAck(packetID: 0x0102)), .v3_1_1), [0x62, 0x02, 0x01, 0x02])
        XCTAssertEqual(S.encode(.unsuback(MQTTUnsubAck(packetID: 1, reasonCodes: [.success])), .v5),
                       [0xB0, 0x04, 0x00, 0x01, 0x00, 0x00])
    }

    // MARK: Version mapping and short forms

    func testConnAckReasonCodesMapTo311ReturnCodes() {
        let cases: [(MQTTReasonCode, UInt8)] = [
            (.success, 0), (.unsupportedProtocolVersion, 1), (.clientIdentifierNotValid, 2), (.serverUnavailable, 3),
            (.serverBusy, 3), (.badUserNameOrPassword, 4), (.notAuthorized, 5), (.banned, 5),
            (.badAuthenticationMethod, 5), (.unspecifiedError, 3), (.malformedPacket, 3), (.useAnotherServer, 3),
            (.quotaExceeded, 3),
        ]
        for (code, returnCode) in cases {
            XCTAssertEqual(S.encode(.connack(MQTTConnAck(reasonCode: code)), .v3_1_1), [0x20, 0x02, 0x00, returnCode],
                           "\(code)")
        }
    }

    func testSubAckFailuresBecome0x80In311() {
        let packet = MQTTPacket.suback(MQTTSubAck(packetID: 1, reasonCodes: [.grantedQoS2, .topicFilterInvalid, .notAuthorized,
                                                                            .grantedQoS0]))
        XCTAssertEqual(S.encode(packet, .v3_1_1), [0x90, 0x06, 0x00, 0x01, 0x02, 0x80, 0x80, 0x00])
        XCTAssertEqual(S.encode(packet, .v5), [0x90, 0x07, 0x00, 0x01, 0x00, 0x02, 0x8F, 0x87, 0x00])
    }

    func testUnsubAckHasNoPayloadIn311() {
        let packet = MQTTPacket.unsuback(MQTTUnsubAck(packetID: 7, reasonCodes: [.success, .noSubscriptionExisted],
                                                      properties: S.properties(allowedIn: .unsuback)))
        XCTAssertEqual(S.encode(packet, .v3_1_1), [0xB0, 0x02, 0x00, 0x07])
    }

    func testPropertiesAreDroppedBefore5() {
        var properties = MQTTProperties()
        properties.messageExpiryInterval = 5
        let publish = MQTTPacket.publish(MQTTPublish(topic: "t", payload: S.buffer([1]), properties: properties))
        XCTAssertEqual(S.encode(publish, .v3_1_1), [0x30, 0x04, 0x00, 0x01, 0x74, 0x01])
        let ack = MQTTPacket.puback(MQTTPubAck(packetID: 1, reasonCode: .quotaExceeded, properties: S.properties(allowedIn: .ack)))
        XCTAssertEqual(S.encode(ack, .v3_1_1), [0x40, 0x02, 0x00, 0x01])
    }

    func testDisconnectBefore5IsBare() {
        let packet = MQTTPacket.disconnect(MQTTDisconnect(reasonCode: .serverShuttingDown,
                                                          properties: S.properties(allowedIn: .disconnect)))
        XCTAssertEqual(S.encode(packet, .v3_1_1), [0xE0, 0x00])
        XCTAssertEqual(S.encode(packet, .v3_1), [0xE0, 0x00])
    }

    func testAuthIsNotWrittenBefore5() {
        let packet = MQTTPacket.auth(MQTTAuth(reasonCode: .continueAuthentication))
        XCTAssertEqual(S.encode(packet, .v3_1_1), [])
        XCTAssertEqual(MQTTPacketEncoder.encodedSize(packet, version: .v3_1_1), 0)
    }

    func testAckShortestFormsIn5() {
        XCTAssertEqual(S.encode(.puback(MQTTPubAck(packetID: 1)), .v5), [0x40, 0x02, 0x00, 0x01])
        XCTAssertEqual(S.encode(.pubrec(MQTTPubAck(packetID: 1, reasonCode: .noMatchingSubscribers)), .v5),
                       [0x50, 0x03, 0x00, 0x01, 0x10])
        var properties = MQTTProperties()
        properties.reasonString = "r"
        XCTAssertEqual(S.encode(.pubcomp(MQTTPubAck(packetID: 1, properties: properties)), .v5),
                       [0x70, 0x08, 0x00, 0x01, 0x00, 0x04, 0x1F, 0x00, 0x01, 0x72])
        XCTAssertEqual(S.encode(.disconnect(MQTTDisconnect()), .v5), [0xE0, 0x00])
        XCTAssertEqual(S.encode(.disconnect(MQTTDisconnect(reasonCode: .sessionTakenOver)), .v5), [0xE0, 0x01, 0x8E])
        XCTAssertEqual(S.encode(.auth(MQTTAuth()), .v5), [0xF0, 0x00])
    }

    func testDupIsNotWrittenAtQoS0() {
        XCTAssertEqual(S.encode(.publish(MQTTPublish(topic: "t", payload: ByteBuffer(), dup: true)), .v3_1_1),
                       [0x30, 0x03, 0x00, 0x01, 0x74])
    }

    func testPropertiesNotAllowedInPacketAreNotWritten() throws {
        let all = S.allProperties()
        let packet = MQTTPacket.publish(MQTTPublish(topic: "t", payload: S.buffer(Array("x".utf8)), properties: all))
        XCTAssertEqual(try decodeOne(S.encode(packet, .v5)),
                       .publish(MQTTPublish(topic: "t", payload: S.buffer(Array("x".utf8)),
                                            properties: S.properties(allowedIn: .publish))))
        let subscribe = MQTTPacket.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "a", qos: .atMostOnce)],
                                                           properties: all))
        guard case .subscribe(let s) = try decodeOne(S.encode(subscribe, .v5)) else { return XCTFail("not a SUBSCRIBE") }
        XCTAssertEqual(s.properties, S.properties(allowedIn: .subscribe))
    }

    func testRemainingLengthBoundaries() throws {
        // Total sizes around the 1/2/3 byte remaining length boundaries: topic "t" (3 bytes) + payload.
        for remaining in [0x7F, 0x80, 0x3FFF, 0x4000, 0x1F_FFFF, 0x20_0000] {
            let packet = MQTTPacket.publish(MQTTPublish(topic: "t", payload: S.buffer(Array(repeating: 0x55, count: remaining - 3))))
            let bytes = S.encode(packet, .v3_1_1)
            let lengthBytes = ByteBuffer.mqttVariableByteIntegerSize(remaining)
            XCTAssertEqual(bytes.count, 1 + lengthBytes + remaining)
            XCTAssertEqual(MQTTPacketEncoder.encodedSize(packet, version: .v3_1_1), bytes.count)
            XCTAssertEqual(bytes[lengthBytes] & 0x80, 0, "last length byte has no continuation bit")
            XCTAssertEqual(try decodeOne(bytes, version: .v3_1_1), packet)
        }
    }

    func testEncodingAppendsAfterExistingBytes() throws {
        var buffer = S.buffer([0xC0, 0x00])
        MQTTPacketEncoder.encode(.puback(MQTTPubAck(packetID: 9)), version: .v3_1_1, into: &buffer)
        var decoder = MQTTPacketDecoder(version: .v3_1_1)
        XCTAssertEqual(try decoder.decode(&buffer), .pingreq)
        XCTAssertEqual(try decoder.decode(&buffer), .puback(MQTTPubAck(packetID: 9)))
    }
}
