import NIOCore
import PierCore

/// The message fields format 2 added: reply-to, the JMS-style headers and typed properties.
extension StorageRecordCodec {
    private enum PropertyType: UInt8 {
        case bool = 1, int8, int16, int32, int64, float, double, string, bytes
    }

    static func writeDestination(_ d: Destination?, into b: inout ByteBuffer) {
        switch d {
        case nil: b.writeInteger(UInt8(0))
        case .topic(let n)?:
            b.writeInteger(UInt8(1))
            writeString(n, into: &b)
        case .queue(let n)?:
            b.writeInteger(UInt8(2))
            writeString(n, into: &b)
        }
    }

    static func readDestination(_ b: inout ByteBuffer) throws(DecodeError) -> Destination? {
        let kind: UInt8 = try read(&b)
        switch kind {
        case 0: return nil
        case 1: return .topic(try readString(&b))
        case 2: return .queue(try readString(&b))
        default: throw DecodeError(reason: "destination kind \(kind)")
        }
    }

    /// A presence byte, then only the fields that are set: most messages are MQTT's and set none.
    static func writeHeaders(_ h: MessageHeaders, into b: inout ByteBuffer, clock: Clocks) {
        var present: UInt16 = 0
        if h.messageID != nil { present |= 1 }
        if h.type != nil { present |= 2 }
        if h.priority != MessageHeaders.defaultPriority { present |= 4 }
        if h.timestamp != nil { present |= 8 }
        if let p = h.persistent { present |= 16 | (p ? 32 : 0) }
        if h.redeliveryCount != 0 { present |= 64 }
        if h.groupID != nil { present |= 128 }
        if h.groupSequence != nil { present |= 256 }
        if h.deliverAt != nil { present |= 512 }
        b.writeInteger(present)
        if let v = h.messageID { writeString(v, into: &b) }
        if let v = h.type { writeString(v, into: &b) }
        if present & 4 != 0 { b.writeInteger(h.priority) }
        if let v = h.timestamp { b.writeInteger(v) }
        if present & 64 != 0 { writeVarint(UInt64(h.redeliveryCount), into: &b) }
        if let v = h.groupID { writeString(v, into: &b) }
        if let v = h.groupSequence { b.writeInteger(v) }
        if let v = h.deliverAt { b.writeInteger(v - clock.monotonic() + clock.wall()) }
    }

    static func readHeaders(_ b: inout ByteBuffer, clock: Clocks) throws(DecodeError) -> MessageHeaders {
        let present: UInt16 = try read(&b)
        var h = MessageHeaders()
        if present & 1 != 0 { h.messageID = try readString(&b) }
        if present & 2 != 0 { h.type = try readString(&b) }
        if present & 4 != 0 { h.priority = try read(&b) }
        if present & 8 != 0 { h.timestamp = try read(&b) }
        if present & 16 != 0 { h.persistent = present & 32 != 0 }
        if present & 64 != 0 { h.redeliveryCount = UInt32(truncatingIfNeeded: try readVarint(&b)) }
        if present & 128 != 0 { h.groupID = try readString(&b) }
        if present & 256 != 0 { h.groupSequence = try read(&b) }
        if present & 512 != 0 {
            let wall: Int64 = try read(&b)
            h.deliverAt = wall - clock.wall() + clock.monotonic()
        }
        return h
    }

    static func writePropertyValue(_ v: PropertyValue, into b: inout ByteBuffer) {
        switch v {
        case .bool(let x):
            b.writeInteger(PropertyType.bool.rawValue)
            b.writeInteger(UInt8(x ? 1 : 0))
        case .int8(let x):
            b.writeInteger(PropertyType.int8.rawValue)
            b.writeInteger(x)
        case .int16(let x):
            b.writeInteger(PropertyType.int16.rawValue)
            b.writeInteger(x)
        case .int32(let x):
            b.writeInteger(PropertyType.int32.rawValue)
            b.writeInteger(x)
        case .int64(let x):
            b.writeInteger(PropertyType.int64.rawValue)
            b.writeInteger(x)
        case .float(let x):
            b.writeInteger(PropertyType.float.rawValue)
            b.writeInteger(x.bitPattern)
        case .double(let x):
            b.writeInteger(PropertyType.double.rawValue)
            b.writeInteger(x.bitPattern)
        case .string(let x):
            b.writeInteger(PropertyType.string.rawValue)
            writeString(x, into: &b)
        case .bytes(let x):
            b.writeInteger(PropertyType.bytes.rawValue)
            writeBytes(x, into: &b)
        }
    }

    static func readPropertyValue(_ b: inout ByteBuffer) throws(DecodeError) -> PropertyValue {
        let raw: UInt8 = try read(&b)
        guard let type = PropertyType(rawValue: raw) else { throw DecodeError(reason: "property type \(raw)") }
        switch type {
        case .bool: return .bool((try read(&b) as UInt8) != 0)
        case .int8: return .int8(try read(&b))
        case .int16: return .int16(try read(&b))
        case .int32: return .int32(try read(&b))
        case .int64: return .int64(try read(&b))
        case .float: return .float(Float(bitPattern: try read(&b)))
        case .double: return .double(Double(bitPattern: try read(&b)))
        case .string: return .string(try readString(&b))
        case .bytes: return .bytes(try readBytes(&b))
        }
    }
}
