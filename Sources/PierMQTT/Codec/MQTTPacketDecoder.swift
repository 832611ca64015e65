import NIOCore
import PierCore

/// Turns bytes into `MQTTPacket`s, one packet per `decode` call, for MQTT 3.1, 3.1.1 and 5.0.
///
/// The decoder checks the grammar of each packet on its own; rules that need session state (a second
/// CONNECT, topic alias ranges, packet identifiers in flight, client identifier rules, subscription
/// identifiers sent by a client, topic filter syntax) are left to the session state machine.
///
/// Choices where the spec leaves room:
/// - An unknown protocol name in CONNECT is reported as `.unsupportedProtocolVersion`, like an unknown level,
///   so the server can still answer with a CONNACK. The bridge bit (0x80) in the level is not supported.
/// - A will topic or PUBLISH topic that is empty, holds a wildcard or has more than `Topic.maxLevels` levels is
///   `.topicNameInvalid` in every version (3.1.1 simply closes the connection for it); an empty PUBLISH topic is
///   fine in 5.0 with a Topic Alias. U+0000 in any string, topics included, is `.malformedPacket` (MQTT-1.5.4-2).
/// - An empty SUBSCRIBE or UNSUBSCRIBE is `.protocolError` in every version (both specs call it a protocol
///   error/violation). In 5.0 a subscription QoS or Retain Handling of 3 is `.protocolError` (spec 3.8.3.1);
///   reserved option bits are `.malformedPacket`. In 3.x any non-zero upper option bit or QoS 3 is malformed.
/// - A packet identifier of 0 is `.malformedPacket` wherever one is carried.
/// - A 5.0 reason code that the spec does not define for the packet kind is `.protocolError`.
/// - A will or PUBLISH payload with Payload Format Indicator 1 that is not UTF-8 is `.payloadFormatInvalid`.
/// - Variable byte integers with a non-minimal encoding are accepted.
/// - Password without username is malformed in 3.1 as in 3.1.1.
public struct MQTTPacketDecoder: Sendable {
    // The one-byte field goes last, so a field declared after a decoder can sit in its tail padding.
    /// Total packet size limit (fixed header + remaining length), spec's Maximum Packet Size semantics.
    public var maximumPacketSize: Int
    /// nil until a CONNECT has been decoded; the decoder sets it from CONNECT's protocol level. Caller may also set it.
    /// Packets other than CONNECT are decoded with 3.1.1 rules while it is nil.
    public var version: MQTTProtocolVersion?

    public init(version: MQTTProtocolVersion? = nil, maximumPacketSize: Int = 268_435_460) {
        self.version = version
        self.maximumPacketSize = maximumPacketSize
    }

    /// Returns nil when more bytes are needed (buffer untouched). Consumes exactly one packet's bytes on success.
    /// On error the buffer is left untouched too; the connection cannot continue anyway.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTPacket? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self) else { return nil }

        // Remaining length is read in place so that an incomplete packet leaves the buffer as it was.
        var remaining = 0
        var headerLength = 1
        while true {
            guard let b = buffer.getInteger(at: start + headerLength, as: UInt8.self) else { return nil }
            remaining |= Int(b & 0x7F) << (7 * (headerLength - 1))
            headerLength += 1
            if b & 0x80 == 0 { break }
            if headerLength == 5 { throw .malformed("remaining length longer than 4 bytes") }
        }

        let total = headerLength + remaining
        if total > maximumPacketSize {
            throw MQTTDecodeError(.packetTooLarge, "packet of \(total) bytes exceeds maximum of \(maximumPacketSize)")
        }
        let type = first >> 4
        let flags = first & 0x0F
        try checkFlags(type: type, flags: flags)
        guard buffer.readableBytes >= total else { return nil }

        var body = buffer.getSlice(at: start + headerLength, length: remaining)!
        let packet: MQTTPacket
        switch type {
        case 1: packet = try decodeConnect(&body)
        case 2: packet = .connack(try decodeConnAck(&body))
        case 3: packet = .publish(try decodePublish(&body, flags: flags))
        case 4: packet = .puback(try decodeAck(&body, validCodes: Self.isPubAckCode))
        case 5: packet = .pubrec(try decodeAck(&body, validCodes: Self.isPubAckCode))
        case 6: packet = .pubrel(try decodeAck(&body, validCodes: Self.isPubRelCode))
        case 7: packet = .pubcomp(try decodeAck(&body, validCodes: Self.isPubRelCode))
        case 8: packet = .subscribe(try decodeSubscribe(&body))
        case 9: packet = .suback(try decodeSubAck(&body))
        case 10: packet = .unsubscribe(try decodeUnsubscribe(&body))
        case 11: packet = .unsuback(try decodeUnsubAck(&body))
        case 12: packet = .pingreq
        case 13: packet = .pingresp
        case 14: packet = .disconnect(try decodeDisconnect(&body))
        case 15: packet = .auth(try decodeAuth(&body))
        default: throw .malformed("reserved packet type \(type)")
        }
        if body.readableBytes != 0 {
            throw .malformed("\(body.readableBytes) unexpected bytes at the end of packet type \(type)")
        }
        buffer.moveReaderIndex(forwardBy: total)
        return packet
    }

    private var effectiveVersion: MQTTProtocolVersion { version ?? .v3_1_1 }
    private var isV5: Bool { effectiveVersion == .v5 }

    private func checkFlags(type: UInt8, flags: UInt8) throws(MQTTDecodeError) {
        switch type {
        case 0:
            throw .malformed("reserved packet type 0")
        case 3:
            let qos = (flags >> 1) & 0x03
            if qos == 3 { throw .malformed("PUBLISH with QoS 3") }
            if qos == 0 && flags & 0x08 != 0 { throw .malformed("PUBLISH with QoS 0 and DUP set") }
        case 6, 8, 10:
            if flags != 0x02 { throw .malformed("reserved flags of packet type \(type) must be 0010") }
        case 15:
            if !isV5 { throw .malformed("AUTH before MQTT 5") }
            if flags != 0 { throw .malformed("reserved flags of packet type \(type) must be 0") }
        default:
            if flags != 0 { throw .malformed("reserved flags of packet type \(type) must be 0") }
        }
    }

    // MARK: CONNECT / CONNACK

    private mutating func decodeConnect(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTPacket {
        let nameLength = Int(try b.readMQTTUInt16())
        guard let name = b.readSlice(length: nameLength) else { throw .truncated("protocol name") }
        let level = try b.readMQTTByte()
        let protocolVersion: MQTTProtocolVersion
        if name.readableBytesView.elementsEqual("MQTT".utf8) {
            switch level {
            case 4: protocolVersion = .v3_1_1
            case 5: protocolVersion = .v5
            default: throw MQTTDecodeError(.unsupportedProtocolVersion, "MQTT protocol level \(level)")
            }
        } else if name.readableBytesView.elementsEqual("MQIsdp".utf8) {
            guard level == 3 else {
                throw MQTTDecodeError(.unsupportedProtocolVersion, "MQIsdp protocol level \(level)")
            }
            protocolVersion = .v3_1
        } else {
            throw MQTTDecodeError(.unsupportedProtocolVersion, "unknown protocol name")
        }
        let v5 = protocolVersion == .v5

        let flags = try b.readMQTTByte()
        if flags & 0x01 != 0 { throw .malformed("reserved CONNECT flag set") }
        let cleanStart = flags & 0x02 != 0
        let willFlag = flags & 0x04 != 0
        let willQoSBits = (flags >> 3) & 0x03
        let willRetain = flags & 0x20 != 0
        let passwordFlag = flags & 0x40 != 0
        let usernameFlag = flags & 0x80 != 0
        if !willFlag && (willQoSBits != 0 || willRetain) { throw .malformed("will QoS or retain without will flag") }
        guard let willQoS = QoS(rawValue: willQoSBits) else { throw .malformed("will QoS 3") }
        if passwordFlag && !usernameFlag && !v5 { throw .malformed("password flag without username flag") }

        let keepAlive = try b.readMQTTUInt16()
        let properties = try v5 ? MQTTPropertiesCodec.decode(from: &b, context: .connect) : MQTTProperties()
        let clientID = try b.readMQTTString()

        var will: MQTTWill?
        if willFlag {
            let willProperties = try v5 ? MQTTPropertiesCodec.decode(from: &b, context: .will) : MQTTProperties()
            let topic = try b.readMQTTString()
            if let problem = Topic.validateName(topic) {
                throw MQTTDecodeError(.topicNameInvalid, "invalid will topic: \(problem)")
            }
            let payload = try b.readMQTTBinarySlice()
            try Self.checkPayloadFormat(payload, willProperties)
            will = MQTTWill(topic: topic, payload: payload, qos: willQoS, retain: willRetain,
                            properties: willProperties)
        }
        let username = try usernameFlag ? b.readMQTTString() : nil
        let password = try passwordFlag ? b.readMQTTBinary() : nil

        if version == nil { version = protocolVersion }
        return .connect(MQTTConnect(protocolVersion: protocolVersion, clientID: clientID, cleanStart: cleanStart,
                                    keepAlive: keepAlive, username: username, password: password, will: will,
                                    properties: properties))
    }

    private func decodeConnAck(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTConnAck {
        let flags = try b.readMQTTByte()
        if flags & 0xFE != 0 { throw .malformed("reserved CONNACK flags set") }
        let code = try b.readMQTTByte()
        if isV5 {
            guard Self.isConnAckCode(code) else { throw .protocolError("reason code 0x\(hex(code)) in CONNACK") }
            let properties = try MQTTPropertiesCodec.decode(from: &b, context: .connack)
            return MQTTConnAck(sessionPresent: flags & 0x01 != 0, reasonCode: MQTTReasonCode(code),
                               properties: properties)
        }
        // 3.x return codes become the 5.0 reason codes the encoder maps them from.
        let reason: MQTTReasonCode
        switch code {
        case 0: reason = .success
        case 1: reason = .unsupportedProtocolVersion
        case 2: reason = .clientIdentifierNotValid
        case 3: reason = .serverUnavailable
        case 4: reason = .badUserNameOrPassword
        case 5: reason = .notAuthorized
        default: throw .malformed("CONNACK return code \(code)")
        }
        return MQTTConnAck(sessionPresent: flags & 0x01 != 0, reasonCode: reason)
    }

    // MARK: PUBLISH and its acknowledgements

    private func decodePublish(_ b: inout ByteBuffer, flags: UInt8) throws(MQTTDecodeError) -> MQTTPublish {
        let qos = QoS(rawValue: (flags >> 1) & 0x03)!  // QoS 3 was rejected with the fixed header.
        let topic = try b.readMQTTString()
        var packetID: UInt16?
        if qos != .atMostOnce {
            let id = try b.readMQTTUInt16()
            if id == 0 { throw .malformed("PUBLISH packet identifier 0") }
            packetID = id
        }
        let properties = try isV5 ? MQTTPropertiesCodec.decode(from: &b, context: .publish) : MQTTProperties()
        if topic.isEmpty {
            if !(isV5 && properties.topicAlias != nil) {
                throw MQTTDecodeError(.topicNameInvalid, "empty PUBLISH topic without topic alias")
            }
        } else if let problem = Topic.validateName(topic) {
            throw MQTTDecodeError(.topicNameInvalid, "invalid PUBLISH topic: \(problem)")
        }
        let payload = b.readSlice(length: b.readableBytes)!
        try Self.checkPayloadFormat(payload, properties)
        return MQTTPublish(topic: topic, payload: payload, qos: qos, retain: flags & 0x01 != 0,
                           dup: flags & 0x08 != 0, packetID: packetID, properties: properties)
    }

    private func decodeAck(_ b: inout ByteBuffer, validCodes: (UInt8) -> Bool) throws(MQTTDecodeError) -> MQTTPubAck {
        let packetID = try Self.readPacketID(&b)
        // 5.0 lets the sender stop after the packet id (success) or after the reason code (no properties).
        guard isV5, b.readableBytes > 0 else { return MQTTPubAck(packetID: packetID) }
        let code = try b.readMQTTByte()
        guard validCodes(code) else { throw .protocolError("reason code 0x\(hex(code)) in acknowledgement") }
        let properties = try b.readableBytes > 0
            ? MQTTPropertiesCodec.decode(from: &b, context: .ack) : MQTTProperties()
        return MQTTPubAck(packetID: packetID, reasonCode: MQTTReasonCode(code), properties: properties)
    }

    // MARK: SUBSCRIBE / UNSUBSCRIBE and their acknowledgements

    private func decodeSubscribe(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTSubscribe {
        let packetID = try Self.readPacketID(&b)
        let properties = try isV5 ? MQTTPropertiesCodec.decode(from: &b, context: .subscribe) : MQTTProperties()
        var subscriptions: [MQTTSubscription] = []
        while b.readableBytes > 0 {
            let filter = try b.readMQTTString()
            let options = try b.readMQTTByte()
            let qosBits = options & 0x03
            if isV5 {
                if options & 0xC0 != 0 { throw .malformed("reserved subscription option bits set") }
                let retainHandling = (options >> 4) & 0x03
                if qosBits == 3 { throw .protocolError("subscription QoS 3") }
                if retainHandling == 3 { throw .protocolError("retain handling 3") }
                subscriptions.append(MQTTSubscription(filter: filter, qos: QoS(rawValue: qosBits)!,
                                                      noLocal: options & 0x04 != 0,
                                                      retainAsPublished: options & 0x08 != 0,
                                                      retainHandling: retainHandling))
            } else {
                if options & 0xFC != 0 { throw .malformed("reserved subscription option bits set") }
                guard let qos = QoS(rawValue: qosBits) else { throw .malformed("subscription QoS 3") }
                subscriptions.append(MQTTSubscription(filter: filter, qos: qos))
            }
        }
        if subscriptions.isEmpty { throw .protocolError("SUBSCRIBE without topic filters") }
        return MQTTSubscribe(packetID: packetID, subscriptions: subscriptions, properties: properties)
    }

    private func decodeSubAck(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTSubAck {
        let packetID = try Self.readPacketID(&b)
        let properties = try isV5 ? MQTTPropertiesCodec.decode(from: &b, context: .suback) : MQTTProperties()
        var codes: [MQTTReasonCode] = []
        codes.reserveCapacity(b.readableBytes)
        while b.readableBytes > 0 {
            let code = try b.readMQTTByte()
            if isV5 {
                guard Self.isSubAckCode(code) else { throw .protocolError("reason code 0x\(hex(code)) in SUBACK") }
            } else if code > 2 && code != 0x80 {
                throw .malformed("SUBACK return code 0x\(hex(code))")
            }
            codes.append(MQTTReasonCode(code))
        }
        if codes.isEmpty { throw .malformed("SUBACK without return codes") }
        return MQTTSubAck(packetID: packetID, reasonCodes: codes, properties: properties)
    }

    private func decodeUnsubscribe(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTUnsubscribe {
        let packetID = try Self.readPacketID(&b)
        let properties = try isV5 ? MQTTPropertiesCodec.decode(from: &b, context: .unsubscribe) : MQTTProperties()
        var filters: [String] = []
        while b.readableBytes > 0 {
            filters.append(try b.readMQTTString())
        }
        if filters.isEmpty { throw .protocolError("UNSUBSCRIBE without topic filters") }
        return MQTTUnsubscribe(packetID: packetID, filters: filters, properties: properties)
    }

    private func decodeUnsubAck(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTUnsubAck {
        let packetID = try Self.readPacketID(&b)
        guard isV5 else { return MQTTUnsubAck(packetID: packetID) }
        let properties = try MQTTPropertiesCodec.decode(from: &b, context: .unsuback)
        var codes: [MQTTReasonCode] = []
        codes.reserveCapacity(b.readableBytes)
        while b.readableBytes > 0 {
            let code = try b.readMQTTByte()
            guard Self.isUnsubAckCode(code) else { throw .protocolError("reason code 0x\(hex(code)) in UNSUBACK") }
            codes.append(MQTTReasonCode(code))
        }
        if codes.isEmpty { throw .malformed("UNSUBACK without reason codes") }
        return MQTTUnsubAck(packetID: packetID, reasonCodes: codes, properties: properties)
    }

    // MARK: DISCONNECT / AUTH

    private func decodeDisconnect(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTDisconnect {
        guard isV5, b.readableBytes > 0 else { return MQTTDisconnect() }
        let code = try b.readMQTTByte()
        guard Self.isDisconnectCode(code) else { throw .protocolError("reason code 0x\(hex(code)) in DISCONNECT") }
        let properties = try b.readableBytes > 0
            ? MQTTPropertiesCodec.decode(from: &b, context: .disconnect) : MQTTProperties()
        return MQTTDisconnect(reasonCode: MQTTReasonCode(code), properties: properties)
    }

    private func decodeAuth(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTAuth {
        guard b.readableBytes > 0 else { return MQTTAuth() }
        let code = try b.readMQTTByte()
        guard code == 0x00 || code == 0x18 || code == 0x19 else {
            throw .protocolError("reason code 0x\(hex(code)) in AUTH")
        }
        let properties = try b.readableBytes > 0
            ? MQTTPropertiesCodec.decode(from: &b, context: .auth) : MQTTProperties()
        return MQTTAuth(reasonCode: MQTTReasonCode(code), properties: properties)
    }

    // MARK: Shared checks

    private static func readPacketID(_ b: inout ByteBuffer) throws(MQTTDecodeError) -> UInt16 {
        let id = try b.readMQTTUInt16()
        if id == 0 { throw .malformed("packet identifier 0") }
        return id
    }

    private static func checkPayloadFormat(_ payload: ByteBuffer,
                                           _ properties: MQTTProperties) throws(MQTTDecodeError) {
        guard properties.payloadFormatIndicator == 1 else { return }
        // U+0000 is a valid character in payload data; only strings forbid it.
        if payload.withUnsafeReadableBytes({ MQTTUTF8.validate($0) }) == .invalid {
            throw MQTTDecodeError(.payloadFormatInvalid, "payload declared UTF-8 is not valid UTF-8")
        }
    }

    // Reason codes the 5.0 spec defines per packet kind (sections 3.2.2.2, 3.4.2.1, 3.6.2.1, 3.9.3, 3.11.3, 3.14.2.1).

    private static func isConnAckCode(_ c: UInt8) -> Bool {
        switch c {
        case 0x00, 0x80...0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99...0x9D, 0x9F: return true
        default: return false
        }
    }

    private static func isPubAckCode(_ c: UInt8) -> Bool {
        switch c {
        case 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99: return true
        default: return false
        }
    }

    private static func isPubRelCode(_ c: UInt8) -> Bool { c == 0x00 || c == 0x92 }

    private static func isSubAckCode(_ c: UInt8) -> Bool {
        switch c {
        case 0x00...0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2: return true
        default: return false
        }
    }

    private static func isUnsubAckCode(_ c: UInt8) -> Bool {
        switch c {
        case 0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91: return true
        default: return false
        }
    }

    private static func isDisconnectCode(_ c: UInt8) -> Bool {
        switch c {
        case 0x00, 0x04, 0x80...0x83, 0x87, 0x89, 0x8B, 0x8D...0x90, 0x93...0xA2: return true
        default: return false
        }
    }
}

private func hex(_ byte: UInt8) -> String { String(byte, radix: 16, uppercase: true) }
