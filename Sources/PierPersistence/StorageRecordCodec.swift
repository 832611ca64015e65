import NIOCore
import PierCore

/// Bytes ⇄ `StorageRecord`, the payload of one log record: a type byte, then the fields in a fixed
/// order with varint-prefixed strings and byte arrays.
///
/// Format 1 (up to 8bac025) has record types 1–11 and messages with string properties; its session
/// progress records name MQTT packet ids. Format 2 adds the queue and durable-subscription records
/// (12–16), writes session progress under the front end's opaque `DeliveryKey` (17–20; a format-1
/// packet id reads back as the two-byte key MQTT uses), and marks its messages with flag bit 10: after
/// the format-1 fields come the reply-to destination, the JMS-style headers and typed properties.
/// Format 2 reads format 1 unchanged (Tests/PierPersistenceTests/Fixtures holds such directories);
/// a format-1 binary refuses format-2 data with "unknown record type" instead of misreading it.
/// Message expiry is stored as wall-clock time, because the in-memory deadline is monotonic and
/// means nothing after a restart.
public enum StorageRecordCodec {
    public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "undecodable storage record: \(reason)" }
    }

    enum Kind: UInt8 {
        case retainedSet = 1, retainedCleared, sessionSaved, sessionDeleted, published, sent, released, completed
        case incomingReceived, incomingReleased, messageIDHighWater
        case queueEnqueued, queueRemoved, queueDelivered, durableSubscriptionSaved, durableSubscriptionDeleted
        case sentKeyed, advanced, incomingHeld, incomingDone
        /// Several records that must become durable together, each length-prefixed.
        case group = 0x7E
        /// A record that changes nothing: appended as a commit barrier.
        case barrier = 0x7F
    }

    // MARK: - Encoding

    public static func encode(_ record: StorageRecord, into buffer: inout ByteBuffer, clock: Clocks = .system) {
        switch record {
        case .retainedSet(let m):
            buffer.writeInteger(Kind.retainedSet.rawValue)
            writeMessage(m, into: &buffer, clock: clock)
        case .retainedCleared(let topic):
            buffer.writeInteger(Kind.retainedCleared.rawValue)
            writeString(topic, into: &buffer)
        case .sessionSaved(let s):
            buffer.writeInteger(Kind.sessionSaved.rawValue)
            writeString(s.clientID, into: &buffer)
            writeOptionalString(s.username, into: &buffer)
            buffer.writeInteger(s.expiryInterval)
            writeVarint(UInt64(s.subscriptions.count), into: &buffer)
            for (filter, o) in s.subscriptions.sorted(by: { $0.key < $1.key }) {
                writeString(filter, into: &buffer)
                buffer.writeInteger(o.qos.rawValue)
                buffer.writeInteger(UInt8((o.noLocal ? 1 : 0) | (o.retainAsPublished ? 2 : 0) | (o.subscriptionIdentifier != nil ? 4 : 0)))
                buffer.writeInteger(o.retainHandling.rawValue)
                if let id = o.subscriptionIdentifier { buffer.writeInteger(id) }
            }
        case .sessionDeleted(let clientID):
            buffer.writeInteger(Kind.sessionDeleted.rawValue)
            writeString(clientID, into: &buffer)
        case .published(let m, let targets):
            buffer.writeInteger(Kind.published.rawValue)
            writeMessage(m, into: &buffer, clock: clock)
            writeVarint(UInt64(targets.count), into: &buffer)
            for t in targets {
                writeString(t.clientID, into: &buffer)
                buffer.writeInteger(t.qos.rawValue | (t.retain ? 0x80 : 0))
                writeVarint(UInt64(t.subscriptionIdentifiers.count), into: &buffer)
                for id in t.subscriptionIdentifiers { writeVarint(UInt64(id), into: &buffer) }
            }
        case .sent(let clientID, let messageID, let key):
            buffer.writeInteger(Kind.sentKeyed.rawValue)
            writeString(clientID, into: &buffer)
            buffer.writeInteger(messageID)
            writeBytes(key.bytes, into: &buffer)
        case .advanced(let clientID, let key):
            writeSessionKey(.advanced, clientID, key, into: &buffer)
        case .completed(let clientID, let messageID):
            buffer.writeInteger(Kind.completed.rawValue)
            writeString(clientID, into: &buffer)
            buffer.writeInteger(messageID)
        case .incomingHeld(let clientID, let key):
            writeSessionKey(.incomingHeld, clientID, key, into: &buffer)
        case .incomingDone(let clientID, let key):
            writeSessionKey(.incomingDone, clientID, key, into: &buffer)
        case .messageIDHighWater(let id):
            buffer.writeInteger(Kind.messageIDHighWater.rawValue)
            buffer.writeInteger(id)
        case .queueEnqueued(let queue, let m):
            buffer.writeInteger(Kind.queueEnqueued.rawValue)
            writeString(queue, into: &buffer)
            writeMessage(m, into: &buffer, clock: clock)
        case .queueRemoved(let queue, let ids):
            buffer.writeInteger(Kind.queueRemoved.rawValue)
            writeString(queue, into: &buffer)
            writeVarint(UInt64(ids.count), into: &buffer)
            for id in ids { writeVarint(id, into: &buffer) }
        case .queueDelivered(let queue, let id, let count):
            buffer.writeInteger(Kind.queueDelivered.rawValue)
            writeString(queue, into: &buffer)
            writeVarint(id, into: &buffer)
            writeVarint(UInt64(count), into: &buffer)
        case .durableSubscriptionSaved(let d):
            buffer.writeInteger(Kind.durableSubscriptionSaved.rawValue)
            writeString(d.clientID, into: &buffer)
            writeString(d.name, into: &buffer)
            writeString(d.filter, into: &buffer)
            writeOptionalString(d.selector, into: &buffer)
            buffer.writeInteger(UInt8(d.noLocal ? 1 : 0))
        case .durableSubscriptionDeleted(let clientID, let name):
            buffer.writeInteger(Kind.durableSubscriptionDeleted.rawValue)
            writeString(clientID, into: &buffer)
            writeString(name, into: &buffer)
        }
    }

    /// One log record for one storage append: a single record as is, several as a group.
    public static func encode(_ records: [StorageRecord], clock: Clocks = .system) -> ByteBuffer {
        if records.count == 1 { return encode(records[0], clock: clock) }
        var buffer = ByteBuffer()
        buffer.writeInteger(records.isEmpty ? Kind.barrier.rawValue : Kind.group.rawValue)
        for r in records {
            var body = encode(r, clock: clock)
            writeVarint(UInt64(body.readableBytes), into: &buffer)
            buffer.writeBuffer(&body)
        }
        return buffer
    }

    /// Every record in one log record (none for a barrier).
    public static func decodeAll(_ bytes: inout ByteBuffer, clock: Clocks = .system) throws(DecodeError) -> [StorageRecord] {
        guard bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) == Kind.group.rawValue else {
            return try decode(&bytes, clock: clock).map { [$0] } ?? []
        }
        bytes.moveReaderIndex(forwardBy: 1)
        var out: [StorageRecord] = []
        while bytes.readableBytes > 0 {
            let n = try readCount(&bytes)
            guard var slice = bytes.readSlice(length: n) else { throw DecodeError(reason: "group member truncated") }
            if let r = try decode(&slice, clock: clock) { out.append(r) }
        }
        return out
    }

    public static func encode(_ record: StorageRecord, clock: Clocks = .system) -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(record, into: &buffer, clock: clock)
        return buffer
    }

    private static func writeSessionKey(_ kind: Kind, _ clientID: String, _ key: DeliveryKey, into buffer: inout ByteBuffer) {
        buffer.writeInteger(kind.rawValue)
        writeString(clientID, into: &buffer)
        writeBytes(key.bytes, into: &buffer)
    }

    /// Format 1 named MQTT packet ids; MQTT's key for a packet id is its two bytes, big-endian.
    private static func packetKey(_ b: inout ByteBuffer) throws(DecodeError) -> DeliveryKey {
        let packetID: UInt16 = try read(&b)
        return DeliveryKey([UInt8(packetID >> 8), UInt8(packetID & 0xFF)])
    }

    private static func writeMessage(_ m: Message, into buffer: inout ByteBuffer, clock: Clocks) {
        var flags: UInt16 = formatTwoMessage
        if m.id != nil { flags |= 1 }
        if m.retain { flags |= 2 }
        if case .queue = m.destination { flags |= 4 }
        if m.expiresAt != nil { flags |= 8 }
        if m.contentType != nil { flags |= 16 }
        if m.correlationData != nil { flags |= 64 }
        if m.origin != nil { flags |= 128 }
        if let utf8 = m.payloadIsUTF8 { flags |= 256 | (utf8 ? 512 : 0) }
        buffer.writeInteger(flags)
        buffer.writeInteger(m.qos.rawValue)
        if let id = m.id { buffer.writeInteger(id) }
        writeString(m.destination.name, into: &buffer)
        if let e = m.expiresAt { buffer.writeInteger(wall(e, clock)) }
        if let v = m.contentType { writeString(v, into: &buffer) }
        if let v = m.correlationData { writeBytes(v, into: &buffer) }
        if let v = m.origin { writeString(v, into: &buffer) }
        writeDestination(m.replyTo, into: &buffer)
        writeHeaders(m.headers, into: &buffer, clock: clock)
        writeVarint(UInt64(m.properties.count), into: &buffer)
        for p in m.properties {
            writeString(p.name, into: &buffer)
            writePropertyValue(p.value, into: &buffer)
        }
        writeVarint(UInt64(m.payload.readableBytes), into: &buffer)
        var payload = m.payload
        buffer.writeBuffer(&payload)
    }

    /// Flag bit 10 of a stored message: written by format 2 (see the type's comment).
    static let formatTwoMessage: UInt16 = 1024

    /// Deadlines are monotonic in memory and wall-clock on disk, where a restart must still read them.
    private static func wall(_ monotonic: Int64, _ clock: Clocks) -> Int64 { monotonic - clock.monotonic() + clock.wall() }
    private static func monotonic(_ wall: Int64, _ clock: Clocks) -> Int64 { wall - clock.wall() + clock.monotonic() }

    // MARK: - Decoding

    /// Returns nil for a barrier record.
    public static func decode(_ bytes: inout ByteBuffer, clock: Clocks = .system) throws(DecodeError) -> StorageRecord? {
        let kindByte: UInt8 = try read(&bytes)
        guard let kind = Kind(rawValue: kindByte) else { throw DecodeError(reason: "unknown record type \(kindByte)") }
        let record: StorageRecord
        switch kind {
        case .barrier:
            return nil
        case .group:
            throw DecodeError(reason: "nested group")
        case .retainedSet:
            record = .retainedSet(try readMessage(&bytes, clock: clock))
        case .retainedCleared:
            record = .retainedCleared(topic: try readString(&bytes))
        case .sessionSaved:
            let clientID = try readString(&bytes)
            let username = try readOptionalString(&bytes)
            let expiry: UInt32 = try read(&bytes)
            var subs: [String: SubscriptionOptions] = [:]
            for _ in 0..<(try readCount(&bytes)) {
                let filter = try readString(&bytes)
                let qos = try readQoS(&bytes)
                let flags: UInt8 = try read(&bytes)
                let rhRaw: UInt8 = try read(&bytes)
                guard let rh = SubscriptionOptions.RetainHandling(rawValue: rhRaw) else { throw DecodeError(reason: "retain handling \(rhRaw)") }
                let subID: UInt32? = flags & 4 != 0 ? try read(&bytes) : nil
                subs[filter] = SubscriptionOptions(qos: qos, noLocal: flags & 1 != 0, retainAsPublished: flags & 2 != 0,
                                                   retainHandling: rh, subscriptionIdentifier: subID)
            }
            record = .sessionSaved(StoredSession(clientID: clientID, username: username, expiryInterval: expiry, subscriptions: subs))
        case .sessionDeleted:
            record = .sessionDeleted(clientID: try readString(&bytes))
        case .published:
            let m = try readMessage(&bytes, clock: clock)
            var targets: [QueuedTarget] = []
            for _ in 0..<(try readCount(&bytes)) {
                let clientID = try readString(&bytes)
                let q: UInt8 = try read(&bytes)
                guard let qos = QoS(rawValue: q & 0x7F) else { throw DecodeError(reason: "qos \(q)") }
                var ids: [UInt32] = []
                for _ in 0..<(try readCount(&bytes)) { ids.append(UInt32(truncatingIfNeeded: try readVarint(&bytes))) }
                targets.append(QueuedTarget(clientID: clientID, qos: qos, retain: q & 0x80 != 0, subscriptionIdentifiers: ids))
            }
            record = .published(m, queuedFor: targets)
        case .sent:
            let clientID = try readString(&bytes)
            let messageID: UInt64 = try read(&bytes)
            record = .sent(clientID: clientID, messageID: messageID, key: try packetKey(&bytes))
        case .released:
            let clientID = try readString(&bytes)
            record = .advanced(clientID: clientID, key: try packetKey(&bytes))
        case .completed:
            let clientID = try readString(&bytes)
            record = .completed(clientID: clientID, messageID: try read(&bytes))
        case .incomingReceived:
            let clientID = try readString(&bytes)
            record = .incomingHeld(clientID: clientID, key: try packetKey(&bytes))
        case .incomingReleased:
            let clientID = try readString(&bytes)
            record = .incomingDone(clientID: clientID, key: try packetKey(&bytes))
        case .sentKeyed:
            let clientID = try readString(&bytes)
            let messageID: UInt64 = try read(&bytes)
            record = .sent(clientID: clientID, messageID: messageID, key: DeliveryKey(try readBytes(&bytes)))
        case .advanced:
            let clientID = try readString(&bytes)
            record = .advanced(clientID: clientID, key: DeliveryKey(try readBytes(&bytes)))
        case .incomingHeld:
            let clientID = try readString(&bytes)
            record = .incomingHeld(clientID: clientID, key: DeliveryKey(try readBytes(&bytes)))
        case .incomingDone:
            let clientID = try readString(&bytes)
            record = .incomingDone(clientID: clientID, key: DeliveryKey(try readBytes(&bytes)))
        case .messageIDHighWater:
            record = .messageIDHighWater(try read(&bytes))
        case .queueEnqueued:
            let queue = try readString(&bytes)
            record = .queueEnqueued(queue: queue, message: try readMessage(&bytes, clock: clock))
        case .queueRemoved:
            let queue = try readString(&bytes)
            var ids: [UInt64] = []
            for _ in 0..<(try readCount(&bytes)) { ids.append(try readVarint(&bytes)) }
            record = .queueRemoved(queue: queue, messageIDs: ids)
        case .queueDelivered:
            let queue = try readString(&bytes)
            let id = try readVarint(&bytes)
            record = .queueDelivered(queue: queue, messageID: id, deliveryCount: UInt32(truncatingIfNeeded: try readVarint(&bytes)))
        case .durableSubscriptionSaved:
            let clientID = try readString(&bytes)
            let name = try readString(&bytes)
            let filter = try readString(&bytes)
            let selector = try readOptionalString(&bytes)
            let noLocal: UInt8 = try read(&bytes)
            record = .durableSubscriptionSaved(DurableSubscription(clientID: clientID, name: name, filter: filter,
                                                                   selector: selector, noLocal: noLocal != 0))
        case .durableSubscriptionDeleted:
            let clientID = try readString(&bytes)
            record = .durableSubscriptionDeleted(clientID: clientID, name: try readString(&bytes))
        }
        guard bytes.readableBytes == 0 else { throw DecodeError(reason: "\(bytes.readableBytes) trailing bytes") }
        return record
    }

    private static func readMessage(_ b: inout ByteBuffer, clock: Clocks) throws(DecodeError) -> Message {
        let flags: UInt16 = try read(&b)
        let qos = try readQoS(&b)
        let id: UInt64? = flags & 1 != 0 ? try read(&b) : nil
        let name = try readString(&b)
        let expiresAt: Int64? = flags & 8 != 0 ? monotonic(try read(&b), clock) : nil
        let contentType = flags & 16 != 0 ? try readString(&b) : nil
        let responseTopic = flags & 32 != 0 ? try readString(&b) : nil
        let correlation = flags & 64 != 0 ? try readBytes(&b) : nil
        let origin = flags & 128 != 0 ? try readString(&b) : nil
        var m = Message(id: id, destination: flags & 4 != 0 ? .queue(name) : .topic(name), payload: ByteBuffer(), qos: qos,
                        retain: flags & 2 != 0, expiresAt: expiresAt, contentType: contentType, responseTopic: responseTopic,
                        correlationData: correlation, payloadIsUTF8: flags & 256 != 0 ? flags & 512 != 0 : nil, origin: origin)
        if flags & formatTwoMessage != 0 {
            m.replyTo = try readDestination(&b)
            m.headers = try readHeaders(&b, clock: clock)
            for _ in 0..<(try readCount(&b)) {
                let name = try readString(&b)
                m.properties.append(MessageProperty(name, try readPropertyValue(&b)))
            }
        } else {
            for _ in 0..<(try readCount(&b)) {
                let name = try readString(&b)
                m.properties.append(MessageProperty(name, .string(try readString(&b))))
            }
        }
        let length = try readCount(&b)
        guard let payload = b.readSlice(length: length) else { throw DecodeError(reason: "payload truncated") }
        m.payload = payload
        return m
    }

    // MARK: - Primitives

    static func read<T: FixedWidthInteger>(_ b: inout ByteBuffer) throws(DecodeError) -> T {
        guard let v = b.readInteger(as: T.self) else { throw DecodeError(reason: "truncated") }
        return v
    }

    private static func readQoS(_ b: inout ByteBuffer) throws(DecodeError) -> QoS {
        let raw: UInt8 = try read(&b)
        guard let q = QoS(rawValue: raw) else { throw DecodeError(reason: "qos \(raw)") }
        return q
    }

    static func writeVarint(_ value: UInt64, into b: inout ByteBuffer) {
        var v = value
        while v >= 0x80 {
            b.writeInteger(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        b.writeInteger(UInt8(v))
    }

    static func readVarint(_ b: inout ByteBuffer) throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            let byte: UInt8 = try read(&b)
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw DecodeError(reason: "varint too long")
    }

    static func readCount(_ b: inout ByteBuffer) throws(DecodeError) -> Int {
        let v = try readVarint(&b)
        guard v <= UInt64(b.readableBytes) else { throw DecodeError(reason: "count \(v) beyond record") }
        return Int(v)
    }

    static func writeString(_ s: String, into b: inout ByteBuffer) {
        writeVarint(UInt64(s.utf8.count), into: &b)
        b.writeString(s)
    }

    static func readString(_ b: inout ByteBuffer) throws(DecodeError) -> String {
        let n = try readCount(&b)
        guard let s = b.readString(length: n) else { throw DecodeError(reason: "string truncated") }
        return s
    }

    static func writeOptionalString(_ s: String?, into b: inout ByteBuffer) {
        if let s {
            b.writeInteger(UInt8(1))
            writeString(s, into: &b)
        } else {
            b.writeInteger(UInt8(0))
        }
    }

    static func readOptionalString(_ b: inout ByteBuffer) throws(DecodeError) -> String? {
        let present: UInt8 = try read(&b)
        return present == 0 ? nil : try readString(&b)
    }

    static func writeBytes(_ bytes: [UInt8], into b: inout ByteBuffer) {
        writeVarint(UInt64(bytes.count), into: &b)
        b.writeBytes(bytes)
    }

    static func readBytes(_ b: inout ByteBuffer) throws(DecodeError) -> [UInt8] {
        let n = try readCount(&b)
        guard let bytes = b.readBytes(length: n) else { throw DecodeError(reason: "bytes truncated") }
        return bytes
    }
}
