import NIOCore
import PierCore

/// AMQP messages to core messages and back, following the README's mapping table.
///
/// Bodies: an `amqp-value` string is a UTF-8 payload (a JMS TextMessage, a STOMP text frame), `data`
/// sections and an `amqp-value` binary are the payload's bytes. Any other body (a map, a list, a sequence)
/// keeps its encoded sections, marked by `bodyContentType`, so an AMQP consumer gets it back as it was sent.
public enum AMQPMessageMapping {
    /// Marks a payload that is the encoded AMQP body sections of a map, list or sequence body.
    public static let bodyContentType = "application/x-amqp-body"
    public static let jmsDestAnnotation = "x-opt-jms-dest"
    public static let jmsMsgTypeAnnotation = "x-opt-jms-msg-type"
    public static let jmsReplyToAnnotation = "x-opt-jms-reply-to"
    public static let deliveryDelayAnnotation = "x-opt-delivery-delay"
    public static let deliveryTimeAnnotation = "x-opt-delivery-time"

    // qpid-jms's x-opt-jms-msg-type values.
    static let jmsMessage: Int8 = 0, jmsBytes: Int8 = 3, jmsText: Int8 = 5

    // MARK: - AMQP → core

    /// The core message for a peer's transfer. `destination` and `replyTo` are already resolved.
    public static func message(from amqp: AMQPMessage, destination: Destination, replyTo: Destination?,
                               origin: String, now: Int64, wallNow: Int64) -> Message {
        var headers = MessageHeaders()
        let header = amqp.header ?? AMQPMessageHeader()
        headers.persistent = header.durable
        headers.priority = min(header.priority, 9)
        let props = amqp.properties
        headers.messageID = props?.messageID.flatMap(idString)
        headers.type = props?.subject
        headers.timestamp = props?.creationTime ?? wallNow
        headers.groupID = props?.groupID
        headers.groupSequence = props?.groupSequence.map { Int32(truncatingIfNeeded: $0) }
        var expiresAt: Int64?
        if let ttl = header.ttl, ttl > 0 {
            expiresAt = now + Int64(ttl)
        } else if let absolute = props?.absoluteExpiryTime, absolute > 0 {
            expiresAt = now + (absolute - wallNow)
        }
        if let annotations = amqp.messageAnnotations {
            if let delay = annotations[.symbol(deliveryDelayAnnotation)].flatMap(integer), delay > 0 {
                headers.deliverAt = now + delay
            } else if let at = annotations[.symbol(deliveryTimeAnnotation)].flatMap(integer), at > wallNow {
                headers.deliverAt = now + (at - wallNow)
            }
        }
        var properties: [MessageProperty] = []
        for entry in amqp.applicationProperties?.entries ?? [] {
            guard let name = stringKey(entry.key) else { continue }
            properties.append(MessageProperty(name, propertyValue(entry.value)))
        }
        var payload = ByteBuffer()
        var contentType = props?.contentType
        var utf8: Bool?
        switch amqp.body {
        case .value(.string(let text)):
            payload = ByteBuffer(string: text)
            utf8 = true
        case .value(.binary(let bytes)):
            payload = bytes
            utf8 = false
        case .value(.null):
            utf8 = nil
        case .data(let sections):
            payload = amqp.body.bytes ?? ByteBuffer()
            _ = sections
            utf8 = false
        case .value, .sequence:
            AMQPMessage(body: amqp.body).encode(into: &payload)
            contentType = bodyContentType
        }
        var message = Message(destination: destination, payload: payload, qos: header.durable ? .atLeastOnce : .atMostOnce,
                              expiresAt: expiresAt, contentType: contentType,
                              correlationData: props?.correlationID.flatMap(idString).map { Array($0.utf8) },
                              payloadIsUTF8: utf8, properties: properties, headers: headers, origin: origin)
        message.replyTo = replyTo
        return message
    }

    /// The terminus capabilities a qpid-jms destination-type annotation stands for: it sends bare names in
    /// `to` and `reply-to` and says with these whether they are topics (1, temporary 3) or queues (0, 2).
    public static func jmsKind(_ annotations: AMQPMap?, _ key: String) -> [String] {
        switch annotations?[.symbol(key)] {
        case .byte(1)?, .byte(3)?, .ubyte(1)?, .ubyte(3)?: return ["topic"]
        default: return []
        }
    }

    /// Message and correlation ids as the core keeps them (text), whatever AMQP type they came in.
    static func idString(_ value: AMQPValue) -> String? {
        switch value {
        case .string(let s), .symbol(let s): return s
        case .ulong(let n): return String(n)
        case .uuid(let u): return u.description
        case .binary(let b):
            return b.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        case .null: return nil
        default: return "\(value)"
        }
    }

    static func stringKey(_ value: AMQPValue) -> String? {
        switch value {
        case .string(let s), .symbol(let s): return s
        default: return nil
        }
    }

    static func integer(_ value: AMQPValue) -> Int64? {
        switch value {
        case .long(let n): return n
        case .int(let n): return Int64(n)
        case .uint(let n): return Int64(n)
        case .ulong(let n): return Int64(clamping: n)
        case .timestamp(let t): return t
        default: return nil
        }
    }

    static func propertyValue(_ value: AMQPValue) -> PropertyValue {
        switch value {
        case .boolean(let b): return .bool(b)
        case .byte(let n): return .int8(n)
        case .short(let n): return .int16(n)
        case .int(let n): return .int32(n)
        case .long(let n): return .int64(n)
        case .ubyte(let n): return .int16(Int16(n))
        case .ushort(let n): return .int32(Int32(n))
        case .uint(let n): return .int64(Int64(n))
        case .ulong(let n): return .int64(Int64(clamping: n))
        case .timestamp(let t): return .int64(t)
        case .float(let f): return .float(f)
        case .double(let d): return .double(d)
        case .string(let s), .symbol(let s): return .string(s)
        case .char(let c): return .string(String(Character(c)))
        case .uuid(let u): return .string(u.description)
        case .binary(let b): return .bytes(Array(b.readableBytesView))
        default: return .string("\(value)")
        }
    }

    static func amqpValue(_ value: PropertyValue) -> AMQPValue {
        switch value {
        case .bool(let b): return .boolean(b)
        case .int8(let n): return .byte(n)
        case .int16(let n): return .short(n)
        case .int32(let n): return .int(n)
        case .int64(let n): return .long(n)
        case .float(let f): return .float(f)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .binary(b)
        }
    }

    // MARK: - core → AMQP

    /// The AMQP message for a core message. `to` and `replyTo` are already formatted addresses.
    public static func amqp(_ message: Message, to: String, replyTo: String?, now: Int64, wallNow: Int64) -> AMQPMessage {
        var header = AMQPMessageHeader(durable: message.isPersistent, priority: message.headers.priority)
        header.deliveryCount = message.headers.redeliveryCount
        if let e = message.expiresAt { header.ttl = UInt32(clamping: max(1, e - now)) }
        var props = AMQPMessageProperties(messageID: message.headers.messageID.map(AMQPValue.string) ?? message.id.map { .string("ID:pier-\($0)") },
                                          to: to, subject: message.headers.type, replyTo: replyTo,
                                          correlationID: message.correlationID.map(AMQPValue.string),
                                          contentType: message.contentType == bodyContentType ? nil : message.contentType,
                                          creationTime: message.headers.timestamp)
        if let e = message.expiresAt { props.absoluteExpiryTime = wallNow + (e - now) }
        props.groupID = message.headers.groupID
        props.groupSequence = message.headers.groupSequence.map { UInt32(bitPattern: $0) }
        var annotations: AMQPMap = [.symbol(jmsDestAnnotation): .byte(message.destination.isQueue ? 0 : 1)]
        if let r = message.replyTo { annotations[.symbol(jmsReplyToAnnotation)] = .byte(r.isQueue ? 0 : 1) }
        var body: AMQPMessageBody
        if message.contentType == bodyContentType, let decoded = try? AMQPMessage(decoding: message.payload) {
            body = decoded.body
            annotations[.symbol(jmsMsgTypeAnnotation)] = .byte(jmsMessage)
        } else if message.payloadIsUTF8 == true {
            body = .value(.string(String(decoding: message.payload.readableBytesView, as: UTF8.self)))
            annotations[.symbol(jmsMsgTypeAnnotation)] = .byte(jmsText)
        } else {
            body = .data([message.payload])
            annotations[.symbol(jmsMsgTypeAnnotation)] = .byte(jmsBytes)
        }
        var amqp = AMQPMessage(header: header, properties: props, body: body)
        amqp.messageAnnotations = annotations
        if !message.properties.isEmpty {
            var seen = Set<String>()
            var map = AMQPMap()
            for p in message.properties where seen.insert(p.name).inserted {
                map.entries.append(.init(key: .string(p.name), value: amqpValue(p.value)))
            }
            amqp.applicationProperties = map
        }
        return amqp
    }
}
