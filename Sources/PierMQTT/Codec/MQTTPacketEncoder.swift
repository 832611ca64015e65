import NIOCore
import PierCore

/// Turns `MQTTPacket`s into bytes for MQTT 3.1, 3.1.1 and 5.0.
///
/// - `version` decides the wire format of every packet except CONNECT, which is written in its own
///   `protocolVersion` (that is what it announces).
/// - Before 5.0 properties are dropped and reason codes are mapped: CONNACK 0x84→1, 0x85→2, 0x86→4,
///   0x87/0x8A/0x8C→5 (an authorisation refusal), any other failure→3 (server unavailable); SUBACK
///   failures→0x80; UNSUBACK has no payload; DISCONNECT is the bare 0xE0 0x00 (whether to send it is the
///   session's call). AUTH does not exist before 5.0: nothing is written and `encodedSize` is 0.
/// - In 5.0, acknowledgements, DISCONNECT and AUTH use the shortest form: no reason code and no properties
///   when the reason is 0x00 and there are no properties; no properties when there are none.
/// - Only properties allowed in the packet are written (the rest are silently dropped).
/// - Strings and binary data over 65,535 bytes, or a packet over 268,435,455 remaining bytes, are
///   programmer errors (precondition failures); check `encodedSize` against the peer's limit first.
public enum MQTTPacketEncoder {
    public static func encode(_ packet: MQTTPacket, version: MQTTProtocolVersion, into buffer: inout ByteBuffer) {
        let v5 = version == .v5
        if case .auth = packet, !v5 { return }
        let remaining = bodySize(packet, v5: v5)
        let total = 1 + ByteBuffer.mqttVariableByteIntegerSize(remaining) + remaining
        buffer.reserveCapacity(minimumWritableBytes: total)
        buffer.writeInteger(firstByte(packet))
        buffer.writeMQTTVariableByteInteger(remaining)
        writeBody(packet, v5: v5, into: &buffer)
    }

    /// Size in bytes of the whole encoded packet, so the caller can honour the peer's Maximum Packet Size before encoding.
    public static func encodedSize(_ packet: MQTTPacket, version: MQTTProtocolVersion) -> Int {
        let v5 = version == .v5
        if case .auth = packet, !v5 { return 0 }
        let remaining = bodySize(packet, v5: v5)
        return 1 + ByteBuffer.mqttVariableByteIntegerSize(remaining) + remaining
    }

    // MARK: Fixed header

    private static func firstByte(_ packet: MQTTPacket) -> UInt8 {
        switch packet {
        case .connect: return 0x10
        case .connack: return 0x20
        case .publish(let p):
            var b: UInt8 = 0x30 | (p.qos.rawValue << 1)
            if p.retain { b |= 0x01 }
            // DUP is meaningless (and forbidden) at QoS 0.
            if p.dup && p.qos != .atMostOnce { b |= 0x08 }
            return b
        case .puback: return 0x40
        case .pubrec: return 0x50
        case .pubrel: return 0x62
        case .pubcomp: return 0x70
        case .subscribe: return 0x82
        case .suback: return 0x90
        case .unsubscribe: return 0xA2
        case .unsuback: return 0xB0
        case .pingreq: return 0xC0
        case .pingresp: return 0xD0
        case .disconnect: return 0xE0
        case .auth: return 0xF0
        }
    }

    // MARK: Sizes

    private static func bodySize(_ packet: MQTTPacket, v5: Bool) -> Int {
        switch packet {
        case .connect(let c):
            let cv5 = c.protocolVersion == .v5
            var size = 2 + protocolName(c.protocolVersion).utf8.count + 1 + 1 + 2
            if cv5 { size += MQTTPropertiesCodec.encodedSize(c.properties, context: .connect) }
            size += c.clientID.mqttEncodedSize
            if let will = c.will {
                if cv5 { size += MQTTPropertiesCodec.encodedSize(will.properties, context: .will) }
                size += will.topic.mqttEncodedSize + 2 + will.payload.readableBytes
            }
            if let username = c.username { size += username.mqttEncodedSize }
            if let password = c.password { size += 2 + password.count }
            return size
        case .connack(let c):
            return 2 + (v5 ? MQTTPropertiesCodec.encodedSize(c.properties, context: .connack) : 0)
        case .publish(let p):
            var size = p.topic.mqttEncodedSize + p.payload.readableBytes
            if p.qos != .atMostOnce { size += 2 }
            if v5 { size += MQTTPropertiesCodec.encodedSize(p.properties, context: .publish) }
            return size
        case .puback(let a), .pubrec(let a), .pubrel(let a), .pubcomp(let a):
            return 2 + shortFormSize(a.reasonCode, a.properties, context: .ack, v5: v5)
        case .subscribe(let s):
            var size = 2
            if v5 { size += MQTTPropertiesCodec.encodedSize(s.properties, context: .subscribe) }
            for sub in s.subscriptions { size += sub.filter.mqttEncodedSize + 1 }
            return size
        case .suback(let s):
            return 2 + s.reasonCodes.count
                + (v5 ? MQTTPropertiesCodec.encodedSize(s.properties, context: .suback) : 0)
        case .unsubscribe(let u):
            var size = 2
            if v5 { size += MQTTPropertiesCodec.encodedSize(u.properties, context: .unsubscribe) }
            for filter in u.filters { size += filter.mqttEncodedSize }
            return size
        case .unsuback(let u):
            guard v5 else { return 2 }
            return 2 + MQTTPropertiesCodec.encodedSize(u.properties, context: .unsuback) + u.reasonCodes.count
        case .pingreq, .pingresp:
            return 0
        case .disconnect(let d):
            return shortFormSize(d.reasonCode, d.properties, context: .disconnect, v5: v5)
        case .auth(let a):
            return shortFormSize(a.reasonCode, a.properties, context: .auth, v5: v5)
        }
    }

    /// Bytes after the packet identifier (if any) of a packet whose reason code and properties may be omitted.
    private static func shortFormSize(_ code: MQTTReasonCode, _ properties: MQTTProperties,
                                      context: MQTTPropertiesCodec.Context, v5: Bool) -> Int {
        guard v5 else { return 0 }
        let content = MQTTPropertiesCodec.contentSize(properties, context: context)
        if content > 0 { return 1 + ByteBuffer.mqttVariableByteIntegerSize(content) + content }
        return code == .success ? 0 : 1
    }

    // MARK: Bodies

    private static func writeBody(_ packet: MQTTPacket, v5: Bool, into b: inout ByteBuffer) {
        switch packet {
        case .connect(let c):
            writeConnect(c, into: &b)
        case .connack(let c):
            b.writeInteger(UInt8(c.sessionPresent ? 1 : 0))
            if v5 {
                b.writeInteger(c.reasonCode.rawValue)
                MQTTPropertiesCodec.write(c.properties, context: .connack, into: &b)
            } else {
                b.writeInteger(connectReturnCode(c.reasonCode))
            }
        case .publish(let p):
            b.writeMQTTString(p.topic)
            if p.qos != .atMostOnce { b.writeInteger(p.packetID ?? 0) }
            if v5 { MQTTPropertiesCodec.write(p.properties, context: .publish, into: &b) }
            b.writeImmutableBuffer(p.payload)
        case .puback(let a), .pubrec(let a), .pubrel(let a), .pubcomp(let a):
            b.writeInteger(a.packetID)
            writeShortForm(a.reasonCode, a.properties, context: .ack, v5: v5, into: &b)
        case .subscribe(let s):
            b.writeInteger(s.packetID)
            if v5 { MQTTPropertiesCodec.write(s.properties, context: .subscribe, into: &b) }
            for sub in s.subscriptions {
                b.writeMQTTString(sub.filter)
                var options = sub.qos.rawValue
                if v5 {
                    if sub.noLocal { options |= 0x04 }
                    if sub.retainAsPublished { options |= 0x08 }
                    options |= (sub.retainHandling & 0x03) << 4
                }
                b.writeInteger(options)
            }
        case .suback(let s):
            b.writeInteger(s.packetID)
            if v5 {
                MQTTPropertiesCodec.write(s.properties, context: .suback, into: &b)
                for code in s.reasonCodes { b.writeInteger(code.rawValue) }
            } else {
                for code in s.reasonCodes { b.writeInteger(code.rawValue <= 2 ? code.rawValue : UInt8(0x80)) }
            }
        case .unsubscribe(let u):
            b.writeInteger(u.packetID)
            if v5 { MQTTPropertiesCodec.write(u.properties, context: .unsubscribe, into: &b) }
            for filter in u.filters { b.writeMQTTString(filter) }
        case .unsuback(let u):
            b.writeInteger(u.packetID)
            if v5 {
                MQTTPropertiesCodec.write(u.properties, context: .unsuback, into: &b)
                for code in u.reasonCodes { b.writeInteger(code.rawValue) }
            }
        case .pingreq, .pingresp:
            break
        case .disconnect(let d):
            writeShortForm(d.reasonCode, d.properties, context: .disconnect, v5: v5, into: &b)
        case .auth(let a):
            writeShortForm(a.reasonCode, a.properties, context: .auth, v5: v5, into: &b)
        }
    }

    private static func writeShortForm(_ code: MQTTReasonCode, _ properties: MQTTProperties,
                                       context: MQTTPropertiesCodec.Context, v5: Bool, into b: inout ByteBuffer) {
        guard v5 else { return }
        let hasProperties = MQTTPropertiesCodec.contentSize(properties, context: context) > 0
        if code == .success && !hasProperties { return }
        b.writeInteger(code.rawValue)
        if hasProperties { MQTTPropertiesCodec.write(properties, context: context, into: &b) }
    }

    private static func writeConnect(_ c: MQTTConnect, into b: inout ByteBuffer) {
        let v5 = c.protocolVersion == .v5
        b.writeMQTTString(protocolName(c.protocolVersion))
        b.writeInteger(c.protocolVersion.rawValue)
        var flags: UInt8 = 0
        if c.cleanStart { flags |= 0x02 }
        if let will = c.will {
            flags |= 0x04 | (will.qos.rawValue << 3)
            if will.retain { flags |= 0x20 }
        }
        if c.password != nil { flags |= 0x40 }
        if c.username != nil { flags |= 0x80 }
        b.writeInteger(flags)
        b.writeInteger(c.keepAlive)
        if v5 { MQTTPropertiesCodec.write(c.properties, context: .connect, into: &b) }
        b.writeMQTTString(c.clientID)
        if let will = c.will {
            if v5 { MQTTPropertiesCodec.write(will.properties, context: .will, into: &b) }
            b.writeMQTTString(will.topic)
            b.writeMQTTBinary(will.payload)
        }
        if let username = c.username { b.writeMQTTString(username) }
        if let password = c.password { b.writeMQTTBinary(password) }
    }

    private static func protocolName(_ version: MQTTProtocolVersion) -> String {
        version == .v3_1 ? "MQIsdp" : "MQTT"
    }

    /// 3.1.1 CONNACK return code for a 5.0 reason code.
    static func connectReturnCode(_ code: MQTTReasonCode) -> UInt8 {
        switch code {
        case .success: return 0
        case .unsupportedProtocolVersion: return 1
        case .clientIdentifierNotValid: return 2
        case .badUserNameOrPassword: return 4
        case .notAuthorized, .banned, .badAuthenticationMethod: return 5
        default: return code.isFailure ? 3 : 0
        }
    }
}
