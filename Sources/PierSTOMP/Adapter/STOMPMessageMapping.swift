import NIOCore
import PierCore

/// SEND frames to core messages and core messages to MESSAGE frames, following the README's mapping
/// table. Headers STOMP or ActiveMQ define map to fields; every other header is a string property.
public enum STOMPMessageMapping {
    /// Headers that are part of the protocol, never copied into properties.
    static let reserved: Set<String> = [
        "destination", "receipt", "transaction", "content-length", "content-type", "persistent", "priority", "expires",
        "correlation-id", "reply-to", "type", "JMSXGroupID", "JMSXGroupSeq", "AMQ_SCHEDULED_DELAY", "message-id",
        "subscription", "ack", "redelivered", "timestamp",
    ]

    /// The core message for a SEND. `replyTo` is already resolved by the adapter (temporary names).
    public static func message(from frame: STOMPFrame, replyTo: Destination?, origin: String, now: Int64, wallNow: Int64) -> Message {
        var headers = MessageHeaders()
        headers.persistent = frame.header("persistent") == "true"
        if let p = frame.header("priority"), let v = UInt8(p), v <= 9 { headers.priority = v }
        headers.type = frame.header("type")
        headers.groupID = frame.header("JMSXGroupID")
        if let seq = frame.header("JMSXGroupSeq") { headers.groupSequence = Int32(seq) }
        headers.timestamp = wallNow
        if let delay = frame.header("AMQ_SCHEDULED_DELAY"), let ms = Int64(delay), ms > 0 { headers.deliverAt = now + ms }
        var expiresAt: Int64?
        if let e = frame.header("expires"), let wall = Int64(e), wall > 0 { expiresAt = now + (wall - wallNow) }
        var properties: [MessageProperty] = []
        var seen = Set<String>()
        for h in frame.headers where !reserved.contains(h.name) && seen.insert(h.name).inserted {
            properties.append(MessageProperty(h.name, .string(h.value)))
        }
        var message = Message(destination: .topic(""), payload: frame.body, qos: headers.persistent == true ? .atLeastOnce : .atMostOnce,
                              expiresAt: expiresAt, contentType: frame.header("content-type"),
                              correlationData: frame.header("correlation-id").map { Array($0.utf8) },
                              // ActiveMQ: a SEND without content-length is a text message.
                              payloadIsUTF8: frame.header("content-length") == nil ? true : nil,
                              properties: properties, headers: headers, origin: origin)
        message.replyTo = replyTo
        return message
    }

    /// A MESSAGE frame for a core message (the state machine adds `subscription`, `message-id` and `ack`).
    public static func frame(for message: Message, destination: String, replyTo: String?, now: Int64, wallNow: Int64) -> STOMPFrame {
        var headers: [STOMPHeader] = [STOMPHeader("destination", destination)]
        if let ct = message.contentType { headers.append(STOMPHeader("content-type", ct)) }
        if message.isPersistent { headers.append(STOMPHeader("persistent", "true")) }
        headers.append(STOMPHeader("priority", String(message.headers.priority)))
        if let e = message.expiresAt { headers.append(STOMPHeader("expires", String(wallNow + (e - now)))) } else {
            headers.append(STOMPHeader("expires", "0"))
        }
        if let ts = message.headers.timestamp { headers.append(STOMPHeader("timestamp", String(ts))) }
        if let c = message.correlationID { headers.append(STOMPHeader("correlation-id", c)) }
        if let r = replyTo { headers.append(STOMPHeader("reply-to", r)) }
        if let t = message.headers.type { headers.append(STOMPHeader("type", t)) }
        if let g = message.headers.groupID { headers.append(STOMPHeader("JMSXGroupID", g)) }
        if let s = message.headers.groupSequence { headers.append(STOMPHeader("JMSXGroupSeq", String(s))) }
        if message.redelivered { headers.append(STOMPHeader("redelivered", "true")) }
        for p in message.properties where !reserved.contains(p.name) {
            headers.append(STOMPHeader(p.name, p.value.stringValue))
        }
        return STOMPFrame(.message, headers: headers, body: message.payload)
    }

    /// The `message-id` a client sees: the producer's JMS id when it had one, else one from the core id.
    public static func messageID(for message: Message) -> String {
        if let id = message.headers.messageID { return id }
        return "ID:pier-\(message.id ?? 0)"
    }
}
