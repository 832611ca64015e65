import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

/// Helpers shared by the codec tests.
enum MQTTCodecTestSupport {
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    static func string(_ s: String) -> [UInt8] {
        [UInt8(s.utf8.count >> 8), UInt8(s.utf8.count & 0xFF)] + Array(s.utf8)
    }

    /// Fixed header + body, with the remaining length computed (always fits one byte in these tests).
    static func packet(_ first: UInt8, _ body: [UInt8]) -> [UInt8] {
        precondition(body.count < 128)
        return [first, UInt8(body.count)] + body
    }

    static func encode(_ packet: MQTTPacket, _ version: MQTTProtocolVersion) -> [UInt8] {
        var b = ByteBuffer()
        MQTTPacketEncoder.encode(packet, version: version, into: &b)
        return Array(b.readableBytesView)
    }

    /// Every one of the 27 properties set, with several user properties and subscription identifiers.
    static func allProperties() -> MQTTProperties {
        var p = MQTTProperties()
        p.payloadFormatIndicator = 1
        p.messageExpiryInterval = 3600
        p.contentType = "application/json"
        p.responseTopic = "reply/here"
        p.correlationData = [0xDE, 0xAD, 0xBE, 0xEF]
        p.subscriptionIdentifiers = [1, 200, 268_435_455]
        p.sessionExpiryInterval = 0xFFFF_FFFF
        p.assignedClientIdentifier = "auto-1234"
        p.serverKeepAlive = 30
        p.authenticationMethod = "SCRAM-SHA-1"
        p.authenticationData = [1, 2, 3]
        p.requestProblemInformation = 0
        p.willDelayInterval = 10
        p.requestResponseInformation = 1
        p.responseInformation = "resp/"
        p.serverReference = "other.example:1883"
        p.reasonString = "because ✓"
        p.receiveMaximum = 20
        p.topicAliasMaximum = 10
        p.topicAlias = 3
        p.maximumQoS = 1
        p.retainAvailable = 0
        p.userProperties = [UserProperty("a", "1"), UserProperty("a", "2"), UserProperty("ключ", "значение")]
        p.maximumPacketSize = 1_048_576
        p.wildcardSubscriptionAvailable = 1
        p.subscriptionIdentifierAvailable = 0
        p.sharedSubscriptionAvailable = 1
        return p
    }

    /// `allProperties()` cut down to what the spec table (2.2.2.2) allows, written out independently of the codec.
    static func properties(allowedIn context: MQTTPropertiesCodec.Context) -> MQTTProperties {
        let all = allProperties()
        var p = MQTTProperties()
        p.userProperties = all.userProperties
        switch context {
        case .connect:
            p.sessionExpiryInterval = all.sessionExpiryInterval
            p.authenticationMethod = all.authenticationMethod
            p.authenticationData = all.authenticationData
            p.requestProblemInformation = all.requestProblemInformation
            p.requestResponseInformation = all.requestResponseInformation
            p.receiveMaximum = all.receiveMaximum
            p.topicAliasMaximum = all.topicAliasMaximum
            p.maximumPacketSize = all.maximumPacketSize
        case .connack:
            p.sessionExpiryInterval = all.sessionExpiryInterval
            p.assignedClientIdentifier = all.assignedClientIdentifier
            p.serverKeepAlive = all.serverKeepAlive
            p.authenticationMethod = all.authenticationMethod
            p.authenticationData = all.authenticationData
            p.responseInformation = all.responseInformation
            p.serverReference = all.serverReference
            p.reasonString = all.reasonString
            p.receiveMaximum = all.receiveMaximum
            p.topicAliasMaximum = all.topicAliasMaximum
            p.maximumQoS = all.maximumQoS
            p.retainAvailable = all.retainAvailable
            p.maximumPacketSize = all.maximumPacketSize
            p.wildcardSubscriptionAvailable = all.wildcardSubscriptionAvailable
            p.subscriptionIdentifierAvailable = all.subscriptionIdentifierAvailable
            p.sharedSubscriptionAvailable = all.sharedSubscriptionAvailable
        case .publish:
            p.payloadFormatIndicator = all.payloadFormatIndicator
            p.messageExpiryInterval = all.messageExpiryInterval
            p.contentType = all.contentType
            p.responseTopic = all.responseTopic
            p.correlationData = all.correlationData
            p.subscriptionIdentifiers = all.subscriptionIdentifiers
            p.topicAlias = all.topicAlias
        case .will:
            p.payloadFormatIndicator = all.payloadFormatIndicator
            p.messageExpiryInterval = all.messageExpiryInterval
            p.contentType = all.contentType
            p.responseTopic = all.responseTopic
            p.correlationData = all.correlationData
            p.willDelayInterval = all.willDelayInterval
        case .ack, .suback, .unsuback:
            p.reasonString = all.reasonString
        case .subscribe:
            p.subscriptionIdentifiers = [all.subscriptionIdentifiers[0]]
        case .unsubscribe:
            break
        case .disconnect:
            p.sessionExpiryInterval = all.sessionExpiryInterval
            p.serverReference = all.serverReference
            p.reasonString = all.reasonString
        case .auth:
            p.authenticationMethod = all.authenticationMethod
            p.authenticationData = all.authenticationData
            p.reasonString = all.reasonString
        }
        return p
    }
}

extension XCTestCase {
    /// Decodes exactly one packet that fills `bytes`.
    func decodeOne(_ bytes: [UInt8], version: MQTTProtocolVersion? = .v5,
                   file: StaticString = #filePath, line: UInt = #line) throws -> MQTTPacket {
        var decoder = MQTTPacketDecoder(version: version)
        var buffer = ByteBuffer(bytes: bytes)
        let packet = try XCTUnwrap(try decoder.decode(&buffer), "needed more bytes", file: file, line: line)
        XCTAssertEqual(buffer.readableBytes, 0, "packet not fully consumed", file: file, line: line)
        return packet
    }

    func assertDecodeError(_ bytes: [UInt8], version: MQTTProtocolVersion? = .v5, maximumPacketSize: Int = 268_435_460,
                           _ kind: MQTTDecodeError.Kind, file: StaticString = #filePath, line: UInt = #line) {
        var decoder = MQTTPacketDecoder(version: version, maximumPacketSize: maximumPacketSize)
        var buffer = ByteBuffer(bytes: bytes)
        do throws(MQTTDecodeError) {
            let packet = try decoder.decode(&buffer)
            XCTFail("expected \(kind), decoded \(String(describing: packet))", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        }
    }

    /// Encodes, checks `encodedSize`, decodes with a fresh decoder for `version` and compares.
    func assertRoundTrip(_ packet: MQTTPacket, _ version: MQTTProtocolVersion,
                         expecting expected: MQTTPacket? = nil, file: StaticString = #filePath, line: UInt = #line) {
        var buffer = ByteBuffer()
        MQTTPacketEncoder.encode(packet, version: version, into: &buffer)
        XCTAssertEqual(buffer.readableBytes, MQTTPacketEncoder.encodedSize(packet, version: version),
                       "encodedSize disagrees with encode", file: file, line: line)
        var decoder = MQTTPacketDecoder(version: version)
        do {
            let decoded = try decoder.decode(&buffer)
            XCTAssertEqual(decoded, expected ?? packet, file: file, line: line)
            XCTAssertEqual(buffer.readableBytes, 0, "packet not fully consumed", file: file, line: line)
        } catch {
            XCTFail("round trip failed: \(error)", file: file, line: line)
        }
    }
}
