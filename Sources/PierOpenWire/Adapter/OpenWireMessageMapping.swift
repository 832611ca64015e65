import NIOCore
import PierCore

/// JMS messages (`OpenWireMessage`) to core messages and back, following the README's mapping table.
///
/// Bodies stay intact: a TextMessage's text becomes a UTF-8 payload (`payloadIsUTF8`), a BytesMessage's
/// bytes the payload as they are, so STOMP, MQTT and AMQP clients read them directly. Map, Stream and
/// Object bodies, which only JMS clients can read, keep their marshalled bytes and are marked by a
/// `contentType` (as is a message without a body and a TextMessage whose text is null), so a JMS
/// consumer gets back exactly the message class and body that was sent.
public enum OpenWireMessageMapping {
    public static let mapContentType = "application/x-openwire-map"
    public static let streamContentType = "application/x-openwire-stream"
    public static let objectContentType = "application/x-java-serialized-object"
    public static let emptyContentType = "application/x-openwire-message"
    public static let nullTextContentType = "application/x-openwire-null-text"
    /// Scheduled delivery, as ActiveMQ's scheduler reads it.
    public static let scheduledDelayProperty = "AMQ_SCHEDULED_DELAY"

    /// Wall-clock minus broker-clock milliseconds, taken once so JMSExpiration comes back to the exact ms.
    static let wallOffset: Int64 = BrokerClock.wallMillis() - BrokerClock.nowMillis()

    public enum MappingError: Error, Equatable, CustomStringConvertible {
        case unreadableBody(String)
        public var description: String {
            switch self { case .unreadableBody(let d): return "Unreadable message: \(d)" }
        }
    }

    // MARK: - OpenWire → core

    /// The core message for a client's send. `destination` and `replyTo` are already resolved.
    public static func message(from m: OpenWireMessage, destination: Destination, replyTo: Destination?,
                               origin: String, now: Int64) throws(MappingError) -> Message {
        var headers = MessageHeaders()
        headers.persistent = m.persistent
        headers.priority = UInt8(clamping: max(0, min(9, Int(m.priority))))
        headers.type = m.type
        headers.timestamp = m.timestamp == 0 ? nil : m.timestamp
        headers.messageID = m.messageId.map(messageIDString)
        headers.groupID = m.groupId
        if m.groupId != nil || m.groupSequence != 0 { headers.groupSequence = m.groupSequence }
        var payload = ByteBuffer()
        var contentType: String?
        var utf8: Bool?
        do throws(OpenWireDecodeError) {
            switch m.kind {
            case .text:
                if let text = try m.text() {
                    payload = ByteBuffer(string: text)
                } else {
                    contentType = nullTextContentType
                }
                utf8 = true
            case .bytes:
                payload = try m.uncompressedContent() ?? ByteBuffer()
                utf8 = false
            case .map:
                payload = try m.uncompressedContent() ?? ByteBuffer()
                contentType = mapContentType
            case .stream:
                payload = try m.uncompressedContent() ?? ByteBuffer()
                contentType = streamContentType
            case .object:
                payload = try m.uncompressedContent() ?? ByteBuffer()
                contentType = objectContentType
            case .message, .blob:
                contentType = emptyContentType
            }
        } catch {
            throw .unreadableBody("\(error)")
        }
        var properties: [MessageProperty] = []
        do throws(OpenWireDecodeError) {
            for entry in try m.properties()?.entries ?? [] {
                properties.append(MessageProperty(entry.key, propertyValue(entry.value)))
                if entry.key == scheduledDelayProperty, let delay = integer(entry.value), delay > 0 {
                    headers.deliverAt = now + delay
                }
            }
        } catch {
            throw .unreadableBody("\(error)")
        }
        var message = Message(destination: destination, payload: payload, qos: m.persistent ? .atLeastOnce : .atMostOnce,
                              expiresAt: m.expiration > 0 ? m.expiration - wallOffset : nil, contentType: contentType,
                              correlationData: m.correlationId.map { Array($0.utf8) }, payloadIsUTF8: utf8,
                              properties: properties, headers: headers, origin: origin)
        message.replyTo = replyTo
        return message
    }

    /// ActiveMQ's `MessageId.toString()`: the text view, else `<producer id>:<sequence>`.
    public static func messageIDString(_ id: OpenWireMessageId) -> String {
        if let text = id.textView { return text }
        let p = id.producerId
        return "\(p?.connectionId ?? ""):\(p?.sessionId ?? 0):\(p?.value ?? 0):\(id.producerSequenceId)"
    }

    /// The inverse of `messageIDString` for ids a JMS producer made; nil for any other text.
    public static func parseMessageID(_ text: String) -> OpenWireMessageId? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 4, let seq = Int64(parts[parts.count - 1]), let value = Int64(parts[parts.count - 2]),
              let session = Int64(parts[parts.count - 3]) else { return nil }
        let connection = parts[..<(parts.count - 3)].joined(separator: ":")
        guard !connection.isEmpty else { return nil }
        return OpenWireMessageId(producerId: OpenWireProducerId(connectionId: connection, sessionId: session, value: value),
                                 producerSequenceId: seq, brokerSequenceId: 0)
    }

    static func propertyValue(_ p: OpenWirePrimitive) -> PropertyValue {
        switch p {
        case .bool(let v): return .bool(v)
        case .byte(let v): return .int8(v)
        case .short(let v): return .int16(v)
        case .int(let v): return .int32(v)
        case .long(let v): return .int64(v)
        case .float(let v): return .float(v)
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .bytes(let v): return .bytes(v)
        case .char(let v): return .string(String(decoding: [v], as: UTF16.self))
        case .null: return .string("")
        case .map, .list: return .string("\(p)")
        }
    }

    static func integer(_ p: OpenWirePrimitive) -> Int64? {
        switch p {
        case .byte(let v): return Int64(v)
        case .short(let v): return Int64(v)
        case .int(let v): return Int64(v)
        case .long(let v): return v
        case .string(let v): return Int64(v)
        default: return nil
        }
    }

    static func primitive(_ v: PropertyValue) -> OpenWirePrimitive {
        switch v {
        case .bool(let b): return .bool(b)
        case .int8(let n): return .byte(n)
        case .int16(let n): return .short(n)
        case .int32(let n): return .int(n)
        case .int64(let n): return .long(n)
        case .float(let f): return .float(f)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        }
    }

    // MARK: - core → OpenWire

    /// The JMS message for a core message. `destination`/`replyTo` are already in OpenWire form;
    /// `fallbackID` names messages that never had a JMS id (from MQTT, STOMP, AMQP).
    public static func openWire(_ message: Message, destination: OpenWireDestination, replyTo: OpenWireDestination?,
                                fallbackID: OpenWireMessageId) -> OpenWireMessage {
        let kind: OpenWireMessage.Kind
        switch message.contentType {
        case mapContentType?: kind = .map
        case streamContentType?: kind = .stream
        case objectContentType?: kind = .object
        case emptyContentType?: kind = .message
        case nullTextContentType?: kind = .text
        default: kind = message.payloadIsUTF8 == true ? .text : .bytes
        }
        let id = message.headers.messageID.flatMap(parseMessageID) ?? fallbackID
        var m = OpenWireMessage(kind: kind, producerId: id.producerId, destination: destination, messageId: id,
                                groupId: message.headers.groupID, groupSequence: message.headers.groupSequence ?? 0,
                                correlationId: message.correlationID, persistent: message.isPersistent,
                                expiration: message.expiresAt.map { $0 + wallOffset } ?? 0,
                                priority: Int8(clamping: message.headers.priority), replyTo: replyTo,
                                timestamp: message.headers.timestamp ?? 0, type: message.headers.type,
                                redeliveryCounter: Int32(clamping: message.headers.redeliveryCount))
        switch kind {
        case .text:
            if message.contentType != nullTextContentType {
                // A text body encodes unless it is longer than a Java string may be; then it goes as bytes.
                do { try m.setText(String(decoding: message.payload.readableBytesView, as: UTF8.self)) } catch {
                    m.kind = .bytes
                    m.content = message.payload
                }
            }
        case .message, .blob:
            break
        default:
            m.content = message.payload.readableBytes > 0 || kind == .bytes ? message.payload : nil
        }
        if !message.properties.isEmpty {
            var seen = Set<String>()
            var map = OpenWirePrimitiveMap()
            for p in message.properties where seen.insert(p.name).inserted {
                map.entries.append(.init(key: p.name, value: primitive(p.value)))
            }
            try? m.setProperties(map)
        }
        return m
    }
}
