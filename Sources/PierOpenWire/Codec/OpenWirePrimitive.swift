import NIOCore

/// One typed value of ActiveMQ's `MarshallingSupport`: a message property, a MapMessage entry, a
/// StreamMessage element, a WireFormatInfo setting. Each is a 1-byte type tag and the value.
///
/// Strings arrive in two forms, `STRING_TYPE` (9: 2-byte length, `writeUTF`) and `BIG_STRING_TYPE`
/// (13: 4-byte length, same encoding); both decode to `.string`, and encoding picks the form as Java
/// does (`STRING_TYPE` below 8191 UTF-16 units), so what Java wrote re-encodes identically. A nested
/// map marshalled as null (size -1) decodes to `.null`.
///
/// Floating-point values compare by bit pattern, so a NaN equals itself and a decoded value always
/// equals its re-decoded self.
public enum OpenWirePrimitive: Sendable {
    case null
    case bool(Bool)
    case byte(Int8)
    /// A Java `char`: one UTF-16 code unit.
    case char(UInt16)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case map(OpenWirePrimitiveMap)
    case list([OpenWirePrimitive])

    /// `MarshallingSupport`'s type tags.
    enum Tag: UInt8 {
        case null = 0, bool, byte, char, short, int, long, double, float, string, bytes, map, list, bigString
    }

    /// `marshalString` switches to the 4-byte length form at this many UTF-16 units (`Short.MAX_VALUE / 4`).
    static let bigStringThreshold = 8191
}

extension OpenWirePrimitive: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.byte(let a), .byte(let b)): return a == b
        case (.char(let a), .char(let b)): return a == b
        case (.short(let a), .short(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.long(let a), .long(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern
        case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(1); hasher.combine(v)
        case .byte(let v): hasher.combine(2); hasher.combine(v)
        case .char(let v): hasher.combine(3); hasher.combine(v)
        case .short(let v): hasher.combine(4); hasher.combine(v)
        case .int(let v): hasher.combine(5); hasher.combine(v)
        case .long(let v): hasher.combine(6); hasher.combine(v)
        case .float(let v): hasher.combine(8); hasher.combine(v.bitPattern)
        case .double(let v): hasher.combine(7); hasher.combine(v.bitPattern)
        case .string(let v): hasher.combine(9); hasher.combine(v)
        case .bytes(let v): hasher.combine(10); hasher.combine(v)
        case .map(let v): hasher.combine(11); hasher.combine(v)
        case .list(let v): hasher.combine(12); hasher.combine(v)
        }
    }
}

// MARK: Marshalling

extension OpenWirePrimitive {
    /// `unmarshalPrimitive`: the tag, then the value.
    static func read(_ r: inout OpenWireReader, _ field: StaticString) throws(OpenWireDecodeError) -> OpenWirePrimitive {
        let at = r.offset
        let byte = try r.integer(field, as: UInt8.self)
        guard let tag = Tag(rawValue: byte) else { throw r.error(.unknownPrimitiveType(byte), field, at: at) }
        switch tag {
        case .null: return .null
        case .bool: return .bool(try r.bool(field))
        case .byte: return .byte(try r.int8(field))
        case .char: return .char(try r.integer(field, as: UInt16.self))
        case .short: return .short(try r.int16(field))
        case .int: return .int(try r.int32(field))
        case .long: return .long(try r.int64(field))
        case .double: return .double(Double(bitPattern: try r.integer(field, as: UInt64.self)))
        case .float: return .float(Float(bitPattern: try r.integer(field, as: UInt32.self)))
        case .string: return .string(try r.utf(field))
        case .bigString: return .string(try r.bigUTF(field))
        case .bytes: return .bytes(try r.rawBytes(field))
        case .map:
            try r.descend(field)
            defer { r.ascend() }
            return try OpenWirePrimitiveMap.read(&r, field).map { .map($0) } ?? .null
        case .list:
            try r.descend(field)
            defer { r.ascend() }
            let countAt = r.offset
            let count = Int(try r.int32(field))
            guard count >= 0 else { throw r.error(.negativeLength(count), field, at: countAt) }
            // Every element takes at least its tag byte.
            guard count <= r.remaining else {
                throw r.error(.lengthBeyondFrame(length: count, available: r.remaining), field, at: countAt)
            }
            var elements: [OpenWirePrimitive] = []
            elements.reserveCapacity(count)
            for _ in 0..<count { elements.append(try read(&r, field)) }
            return .list(elements)
        }
    }

    /// `marshalPrimitive`.
    func write(to w: inout OpenWireWriter, _ field: StaticString) throws(OpenWireEncodeError) {
        switch self {
        case .null:
            w.tag(.null)
        case .bool(let v):
            w.tag(.bool)
            w.bool(v)
        case .byte(let v):
            w.tag(.byte)
            w.int8(v)
        case .char(let v):
            w.tag(.char)
            w.buffer.writeInteger(v)
        case .short(let v):
            w.tag(.short)
            w.int16(v)
        case .int(let v):
            w.tag(.int)
            w.int32(v)
        case .long(let v):
            w.tag(.long)
            w.int64(v)
        case .double(let v):
            w.tag(.double)
            w.buffer.writeInteger(v.bitPattern)
        case .float(let v):
            w.tag(.float)
            w.buffer.writeInteger(v.bitPattern)
        case .string(let v):
            if v.utf16.count < Self.bigStringThreshold {
                w.tag(.string)
                try w.utf(v, field)
            } else {
                w.tag(.bigString)
                try w.bigUTF(v, field)
            }
        case .bytes(let v):
            w.tag(.bytes)
            try w.rawBytes(v, field)
        case .map(let v):
            try w.descend(field)
            defer { w.ascend() }
            w.tag(.map)
            try v.write(to: &w, field)
        case .list(let v):
            try w.descend(field)
            defer { w.ascend() }
            guard v.count <= Int(Int32.max) else {
                throw OpenWireEncodeError(.arrayTooLong(count: v.count), field: "\(field)")
            }
            w.tag(.list)
            w.int32(Int32(v.count))
            for element in v { try element.write(to: &w, field) }
        }
    }
}

// MARK: Reader and writer support for MarshallingSupport's forms

extension OpenWireReader {
    /// The `BIG_STRING_TYPE` value (and `MarshallingSupport.readUTF8`): a 4-byte length, then modified UTF-8.
    mutating func bigUTF(_ field: StaticString) throws(OpenWireDecodeError) -> String {
        let at = offset
        let length = Int(try int32(field))
        return try utf(length: length, field, at: at)
    }

    /// A 4-byte length, then the bytes, with no presence boolean in front.
    mutating func rawBytes(_ field: StaticString) throws(OpenWireDecodeError) -> [UInt8] {
        let at = offset
        let count = Int(try int32(field))
        guard count >= 0 else { throw error(.negativeLength(count), field, at: at) }
        guard count <= remaining else {
            throw error(.lengthBeyondFrame(length: count, available: remaining), field, at: at)
        }
        return try constBytes(count, field)
    }
}

extension OpenWireWriter {
    mutating func tag(_ tag: OpenWirePrimitive.Tag) {
        buffer.writeInteger(tag.rawValue)
    }

    mutating func bigUTF(_ value: String, _ field: StaticString) throws(OpenWireEncodeError) {
        let length = OpenWireModifiedUTF8.encodedLength(value)
        guard length <= Int(Int32.max) else { throw OpenWireEncodeError(.bytesTooLong(count: length), field: "\(field)") }
        int32(Int32(length))
        OpenWireModifiedUTF8.write(value, length: length, into: &buffer)
    }

    mutating func rawBytes(_ value: [UInt8], _ field: StaticString) throws(OpenWireEncodeError) {
        guard value.count <= Int(Int32.max) else { throw OpenWireEncodeError(.bytesTooLong(count: value.count), field: "\(field)") }
        int32(Int32(value.count))
        buffer.writeBytes(value)
    }
}
