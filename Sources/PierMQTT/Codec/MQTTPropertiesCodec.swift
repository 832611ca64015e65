import NIOCore
import PierCore

/// MQTT 5 properties on the wire (spec 2.2.2): the property length, then identifier/value pairs.
enum MQTTPropertiesCodec {
    /// Which packet (or the will inside CONNECT) carries the properties; decides which identifiers are allowed.
    enum Context: Sendable, CustomStringConvertible {
        case connect, connack, publish, will, ack, subscribe, suback, unsubscribe, unsuback, disconnect, auth

        /// Bit `id` is set when property `id` may appear (spec 2.2.2.2 table).
        var allowed: UInt64 {
            switch self {
            case .connect: return Masks.connect
            case .connack: return Masks.connack
            case .publish: return Masks.publish
            case .will: return Masks.will
            case .ack, .suback, .unsuback: return Masks.reasonAndUser
            case .subscribe: return Masks.subscribe
            case .unsubscribe: return Masks.unsubscribe
            case .disconnect: return Masks.disconnect
            case .auth: return Masks.auth
            }
        }

        var description: String {
            switch self {
            case .connect: return "CONNECT"
            case .connack: return "CONNACK"
            case .publish: return "PUBLISH"
            case .will: return "will properties"
            case .ack: return "PUBACK/PUBREC/PUBREL/PUBCOMP"
            case .subscribe: return "SUBSCRIBE"
            case .suback: return "SUBACK"
            case .unsubscribe: return "UNSUBSCRIBE"
            case .unsuback: return "UNSUBACK"
            case .disconnect: return "DISCONNECT"
            case .auth: return "AUTH"
            }
        }
    }

    enum ID {
        static let payloadFormatIndicator: UInt8 = 0x01
        static let messageExpiryInterval: UInt8 = 0x02
        static let contentType: UInt8 = 0x03
        static let responseTopic: UInt8 = 0x08
        static let correlationData: UInt8 = 0x09
        static let subscriptionIdentifier: UInt8 = 0x0B
        static let sessionExpiryInterval: UInt8 = 0x11
        static let assignedClientIdentifier: UInt8 = 0x12
        static let serverKeepAlive: UInt8 = 0x13
        static let authenticationMethod: UInt8 = 0x15
        static let authenticationData: UInt8 = 0x16
        static let requestProblemInformation: UInt8 = 0x17
        static let willDelayInterval: UInt8 = 0x18
        static let requestResponseInformation: UInt8 = 0x19
        static let responseInformation: UInt8 = 0x1A
        static let serverReference: UInt8 = 0x1C
        static let reasonString: UInt8 = 0x1F
        static let receiveMaximum: UInt8 = 0x21
        static let topicAliasMaximum: UInt8 = 0x22
        static let topicAlias: UInt8 = 0x23
        static let maximumQoS: UInt8 = 0x24
        static let retainAvailable: UInt8 = 0x25
        static let userProperty: UInt8 = 0x26
        static let maximumPacketSize: UInt8 = 0x27
        static let wildcardSubscriptionAvailable: UInt8 = 0x28
        static let subscriptionIdentifierAvailable: UInt8 = 0x29
        static let sharedSubscriptionAvailable: UInt8 = 0x2A
    }

    /// Precomputed so the hot path never builds the variadic arrays.
    private enum Masks {
        static let connect = mask(
            ID.sessionExpiryInterval, ID.authenticationMethod, ID.authenticationData, ID.requestProblemInformation,
            ID.requestResponseInformation, ID.receiveMaximum, ID.topicAliasMaximum, ID.userProperty,
            ID.maximumPacketSize)
        static let connack = mask(
            ID.sessionExpiryInterval, ID.assignedClientIdentifier, ID.serverKeepAlive, ID.authenticationMethod,
            ID.authenticationData, ID.responseInformation, ID.serverReference, ID.reasonString, ID.receiveMaximum,
            ID.topicAliasMaximum, ID.maximumQoS, ID.retainAvailable, ID.userProperty, ID.maximumPacketSize,
            ID.wildcardSubscriptionAvailable, ID.subscriptionIdentifierAvailable, ID.sharedSubscriptionAvailable)
        static let publish = mask(
            ID.payloadFormatIndicator, ID.messageExpiryInterval, ID.contentType, ID.responseTopic,
            ID.correlationData, ID.subscriptionIdentifier, ID.topicAlias, ID.userProperty)
        static let will = mask(
            ID.payloadFormatIndicator, ID.messageExpiryInterval, ID.contentType, ID.responseTopic,
            ID.correlationData, ID.willDelayInterval, ID.userProperty)
        static let reasonAndUser = mask(ID.reasonString, ID.userProperty)
        static let subscribe = mask(ID.subscriptionIdentifier, ID.userProperty)
        static let unsubscribe = mask(ID.userProperty)
        static let disconnect = mask(ID.sessionExpiryInterval, ID.serverReference, ID.reasonString, ID.userProperty)
        static let auth = mask(ID.authenticationMethod, ID.authenticationData, ID.reasonString, ID.userProperty)
        static let allKnown = connack | publish | will | connect | subscribe | disconnect | auth
    }

    private static func mask(_ ids: UInt8...) -> UInt64 {
        var m: UInt64 = 0
        for id in ids { m |= 1 << UInt64(id) }
        return m
    }

    @inline(__always)
    private static func has(_ mask: UInt64, _ id: UInt8) -> Bool { mask & (1 << UInt64(id)) != 0 }

    // MARK: Decoding

    /// Reads the property length and the properties it covers.
    ///
    /// Errors: unknown identifier or one not allowed in `context` → malformed; a single-valued property
    /// given twice, a 0/1 property with another value, Receive Maximum, Maximum Packet Size or Subscription
    /// Identifier of 0, a Response Topic that is not a valid topic name → protocol error.
    /// Topic Alias 0 is left to the session (its reason code is Topic Alias Invalid, 0x94).
    static func decode(from buffer: inout ByteBuffer, context: Context) throws(MQTTDecodeError) -> MQTTProperties {
        let length = Int(try buffer.readMQTTVariableByteInteger())
        guard var slice = buffer.readSlice(length: length) else { throw .truncated("properties") }
        var properties = MQTTProperties()
        let allowed = context.allowed
        var seen: UInt64 = 0
        while slice.readableBytes > 0 {
            // The identifier is formally a variable byte integer, though every defined one fits in a byte.
            let rawID = try slice.readMQTTVariableByteInteger()
            guard rawID < 64, has(Masks.allKnown, UInt8(rawID)) else {
                throw .malformed("unknown property identifier 0x\(String(rawID, radix: 16))")
            }
            let id = UInt8(rawID)
            guard has(allowed, id) else {
                throw .malformed("property 0x\(String(id, radix: 16)) not allowed in \(context)")
            }
            let repeatable = id == ID.userProperty || (id == ID.subscriptionIdentifier && context == .publish)
            if !repeatable {
                if has(seen, id) { throw .protocolError("property 0x\(String(id, radix: 16)) given more than once") }
                seen |= 1 << UInt64(id)
            }
            try decodeValue(id: id, from: &slice, into: &properties)
        }
        return properties
    }

    private static func decodeValue(id: UInt8, from b: inout ByteBuffer,
                                     into p: inout MQTTProperties) throws(MQTTDecodeError) {
        switch id {
        case ID.payloadFormatIndicator: p.payloadFormatIndicator = try readFlag(&b, "payload format indicator")
        case ID.messageExpiryInterval: p.messageExpiryInterval = try b.readMQTTUInt32()
        case ID.contentType: p.contentType = try b.readMQTTString()
        case ID.responseTopic:
            let topic = try b.readMQTTString()
            if Topic.validateName(topic) != nil { throw .protocolError("response topic is not a valid topic name") }
            p.responseTopic = topic
        case ID.correlationData: p.correlationData = try b.readMQTTBinary()
        case ID.subscriptionIdentifier:
            let v = try b.readMQTTVariableByteInteger()
            if v == 0 { throw .protocolError("subscription identifier 0") }
            p.subscriptionIdentifiers.append(v)
        case ID.sessionExpiryInterval: p.sessionExpiryInterval = try b.readMQTTUInt32()
        case ID.assignedClientIdentifier: p.assignedClientIdentifier = try b.readMQTTString()
        case ID.serverKeepAlive: p.serverKeepAlive = try b.readMQTTUInt16()
        case ID.authenticationMethod: p.authenticationMethod = try b.readMQTTString()
        case ID.authenticationData: p.authenticationData = try b.readMQTTBinary()
        case ID.requestProblemInformation: p.requestProblemInformation = try readFlag(&b, "request problem information")
        case ID.willDelayInterval: p.willDelayInterval = try b.readMQTTUInt32()
        case ID.requestResponseInformation:
            p.requestResponseInformation = try readFlag(&b, "request response information")
        case ID.responseInformation: p.responseInformation = try b.readMQTTString()
        case ID.serverReference: p.serverReference = try b.readMQTTString()
        case ID.reasonString: p.reasonString = try b.readMQTTString()
        case ID.receiveMaximum:
            let v = try b.readMQTTUInt16()
            if v == 0 { throw .protocolError("receive maximum 0") }
            p.receiveMaximum = v
        case ID.topicAliasMaximum: p.topicAliasMaximum = try b.readMQTTUInt16()
        case ID.topicAlias: p.topicAlias = try b.readMQTTUInt16()
        case ID.maximumQoS: p.maximumQoS = try readFlag(&b, "maximum QoS")
        case ID.retainAvailable: p.retainAvailable = try readFlag(&b, "retain available")
        case ID.userProperty:
            let name = try b.readMQTTString()
            let value = try b.readMQTTString()
            p.userProperties.append(UserProperty(name, value))
        case ID.maximumPacketSize:
            let v = try b.readMQTTUInt32()
            if v == 0 { throw .protocolError("maximum packet size 0") }
            p.maximumPacketSize = v
        case ID.wildcardSubscriptionAvailable:
            p.wildcardSubscriptionAvailable = try readFlag(&b, "wildcard subscription available")
        case ID.subscriptionIdentifierAvailable:
            p.subscriptionIdentifierAvailable = try readFlag(&b, "subscription identifier available")
        case ID.sharedSubscriptionAvailable:
            p.sharedSubscriptionAvailable = try readFlag(&b, "shared subscription available")
        default:
            throw .malformed("unknown property identifier 0x\(String(id, radix: 16))")
        }
    }

    private static func readFlag(_ b: inout ByteBuffer, _ name: String) throws(MQTTDecodeError) -> UInt8 {
        let v = try b.readMQTTByte()
        if v > 1 { throw .protocolError("\(name) must be 0 or 1, got \(v)") }
        return v
    }

    // MARK: Encoding
    //
    // Only properties allowed in `context` are written, so the encoder never emits a packet the peer must
    // reject; SUBSCRIBE carries at most the first subscription identifier.

    /// Size of the properties without the property length prefix.
    static func contentSize(_ p: MQTTProperties, context: Context) -> Int {
        let allowed = context.allowed
        var size = 0
        if has(allowed, ID.payloadFormatIndicator), p.payloadFormatIndicator != nil { size += 2 }
        if has(allowed, ID.messageExpiryInterval), p.messageExpiryInterval != nil { size += 5 }
        if has(allowed, ID.contentType), let v = p.contentType { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.responseTopic), let v = p.responseTopic { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.correlationData), let v = p.correlationData { size += 3 + v.count }
        if has(allowed, ID.subscriptionIdentifier) {
            for v in subscriptionIdentifiers(p, context) {
                size += 1 + ByteBuffer.mqttVariableByteIntegerSize(Int(v))
            }
        }
        if has(allowed, ID.sessionExpiryInterval), p.sessionExpiryInterval != nil { size += 5 }
        if has(allowed, ID.assignedClientIdentifier), let v = p.assignedClientIdentifier {
            size += 1 + v.mqttEncodedSize
        }
        if has(allowed, ID.serverKeepAlive), p.serverKeepAlive != nil { size += 3 }
        if has(allowed, ID.authenticationMethod), let v = p.authenticationMethod { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.authenticationData), let v = p.authenticationData { size += 3 + v.count }
        if has(allowed, ID.requestProblemInformation), p.requestProblemInformation != nil { size += 2 }
        if has(allowed, ID.willDelayInterval), p.willDelayInterval != nil { size += 5 }
        if has(allowed, ID.requestResponseInformation), p.requestResponseInformation != nil { size += 2 }
        if has(allowed, ID.responseInformation), let v = p.responseInformation { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.serverReference), let v = p.serverReference { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.reasonString), let v = p.reasonString { size += 1 + v.mqttEncodedSize }
        if has(allowed, ID.receiveMaximum), p.receiveMaximum != nil { size += 3 }
        if has(allowed, ID.topicAliasMaximum), p.topicAliasMaximum != nil { size += 3 }
        if has(allowed, ID.topicAlias), p.topicAlias != nil { size += 3 }
        if has(allowed, ID.maximumQoS), p.maximumQoS != nil { size += 2 }
        if has(allowed, ID.retainAvailable), p.retainAvailable != nil { size += 2 }
        if has(allowed, ID.userProperty) {
            for up in p.userProperties { size += 1 + up.name.mqttEncodedSize + up.value.mqttEncodedSize }
        }
        if has(allowed, ID.maximumPacketSize), p.maximumPacketSize != nil { size += 5 }
        if has(allowed, ID.wildcardSubscriptionAvailable), p.wildcardSubscriptionAvailable != nil { size += 2 }
        if has(allowed, ID.subscriptionIdentifierAvailable), p.subscriptionIdentifierAvailable != nil { size += 2 }
        if has(allowed, ID.sharedSubscriptionAvailable), p.sharedSubscriptionAvailable != nil { size += 2 }
        return size
    }

    /// Size including the property length prefix.
    static func encodedSize(_ p: MQTTProperties, context: Context) -> Int {
        let content = contentSize(p, context: context)
        return ByteBuffer.mqttVariableByteIntegerSize(content) + content
    }

    static func write(_ p: MQTTProperties, context: Context, into b: inout ByteBuffer) {
        let allowed = context.allowed
        b.writeMQTTVariableByteInteger(contentSize(p, context: context))
        if has(allowed, ID.payloadFormatIndicator), let v = p.payloadFormatIndicator {
            b.writeInteger(ID.payloadFormatIndicator)
            b.writeInteger(v)
        }
        if has(allowed, ID.messageExpiryInterval), let v = p.messageExpiryInterval {
            b.writeInteger(ID.messageExpiryInterval)
            b.writeInteger(v)
        }
        if has(allowed, ID.contentType), let v = p.contentType {
            b.writeInteger(ID.contentType)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.responseTopic), let v = p.responseTopic {
            b.writeInteger(ID.responseTopic)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.correlationData), let v = p.correlationData {
            b.writeInteger(ID.correlationData)
            b.writeMQTTBinary(v)
        }
        if has(allowed, ID.subscriptionIdentifier) {
            for v in subscriptionIdentifiers(p, context) {
                b.writeInteger(ID.subscriptionIdentifier)
                b.writeMQTTVariableByteInteger(Int(v))
            }
        }
        if has(allowed, ID.sessionExpiryInterval), let v = p.sessionExpiryInterval {
            b.writeInteger(ID.sessionExpiryInterval)
            b.writeInteger(v)
        }
        if has(allowed, ID.assignedClientIdentifier), let v = p.assignedClientIdentifier {
            b.writeInteger(ID.assignedClientIdentifier)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.serverKeepAlive), let v = p.serverKeepAlive {
            b.writeInteger(ID.serverKeepAlive)
            b.writeInteger(v)
        }
        if has(allowed, ID.authenticationMethod), let v = p.authenticationMethod {
            b.writeInteger(ID.authenticationMethod)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.authenticationData), let v = p.authenticationData {
            b.writeInteger(ID.authenticationData)
            b.writeMQTTBinary(v)
        }
        if has(allowed, ID.requestProblemInformation), let v = p.requestProblemInformation {
            b.writeInteger(ID.requestProblemInformation)
            b.writeInteger(v)
        }
        if has(allowed, ID.willDelayInterval), let v = p.willDelayInterval {
            b.writeInteger(ID.willDelayInterval)
            b.writeInteger(v)
        }
        if has(allowed, ID.requestResponseInformation), let v = p.requestResponseInformation {
            b.writeInteger(ID.requestResponseInformation)
            b.writeInteger(v)
        }
        if has(allowed, ID.responseInformation), let v = p.responseInformation {
            b.writeInteger(ID.responseInformation)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.serverReference), let v = p.serverReference {
            b.writeInteger(ID.serverReference)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.reasonString), let v = p.reasonString {
            b.writeInteger(ID.reasonString)
            b.writeMQTTString(v)
        }
        if has(allowed, ID.receiveMaximum), let v = p.receiveMaximum {
            b.writeInteger(ID.receiveMaximum)
            b.writeInteger(v)
        }
        if has(allowed, ID.topicAliasMaximum), let v = p.topicAliasMaximum {
            b.writeInteger(ID.topicAliasMaximum)
            b.writeInteger(v)
        }
        if has(allowed, ID.topicAlias), let v = p.topicAlias {
            b.writeInteger(ID.topicAlias)
            b.writeInteger(v)
        }
        if has(allowed, ID.maximumQoS), let v = p.maximumQoS {
            b.writeInteger(ID.maximumQoS)
            b.writeInteger(v)
        }
        if has(allowed, ID.retainAvailable), let v = p.retainAvailable {
            b.writeInteger(ID.retainAvailable)
            b.writeInteger(v)
        }
        if has(allowed, ID.userProperty) {
            for up in p.userProperties {
                b.writeInteger(ID.userProperty)
                b.writeMQTTString(up.name)
                b.writeMQTTString(up.value)
            }
        }
        if has(allowed, ID.maximumPacketSize), let v = p.maximumPacketSize {
            b.writeInteger(ID.maximumPacketSize)
            b.writeInteger(v)
        }
        if has(allowed, ID.wildcardSubscriptionAvailable), let v = p.wildcardSubscriptionAvailable {
            b.writeInteger(ID.wildcardSubscriptionAvailable)
            b.writeInteger(v)
        }
        if has(allowed, ID.subscriptionIdentifierAvailable), let v = p.subscriptionIdentifierAvailable {
            b.writeInteger(ID.subscriptionIdentifierAvailable)
            b.writeInteger(v)
        }
        if has(allowed, ID.sharedSubscriptionAvailable), let v = p.sharedSubscriptionAvailable {
            b.writeInteger(ID.sharedSubscriptionAvailable)
            b.writeInteger(v)
        }
    }

    @inline(__always)
    private static func subscriptionIdentifiers(_ p: MQTTProperties, _ context: Context) -> ArraySlice<UInt32> {
        context == .publish ? p.subscriptionIdentifiers[...] : p.subscriptionIdentifiers.prefix(1)
    }
}
