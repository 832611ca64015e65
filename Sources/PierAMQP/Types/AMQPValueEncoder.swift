import NIOCore

extension ByteBuffer {
    /// Appends `value` in its most compact encoding. Compounds are written with an 8-bit header
    /// first and widened in place only when they outgrow it, so nothing is encoded twice.
    ///
    /// An `.array` whose elements are not all of one type is a programming error (there is no
    /// single element constructor for it) and traps.
    public mutating func writeAMQPValue(_ value: AMQPValue) {
        switch value {
        case .null:
            writeInteger(AMQPFormatCode.null)
        case .boolean(let b):
            writeInteger(b ? AMQPFormatCode.booleanTrue : AMQPFormatCode.booleanFalse)
        case .ubyte(let v):
            writeInteger(AMQPFormatCode.ubyte)
            writeInteger(v)
        case .ushort(let v):
            writeInteger(AMQPFormatCode.ushort)
            writeInteger(v)
        case .uint(let v):
            if v == 0 {
                writeInteger(AMQPFormatCode.uint0)
            } else if v <= UInt8.max {
                writeInteger(AMQPFormatCode.smallUint)
                writeInteger(UInt8(v))
            } else {
                writeInteger(AMQPFormatCode.uint)
                writeInteger(v)
            }
        case .ulong(let v):
            if v == 0 {
                writeInteger(AMQPFormatCode.ulong0)
            } else if v <= UInt8.max {
                writeInteger(AMQPFormatCode.smallUlong)
                writeInteger(UInt8(v))
            } else {
                writeInteger(AMQPFormatCode.ulong)
                writeInteger(v)
            }
        case .byte(let v):
            writeInteger(AMQPFormatCode.byte)
            writeInteger(v)
        case .short(let v):
            writeInteger(AMQPFormatCode.short)
            writeInteger(v)
        case .int(let v):
            if let small = Int8(exactly: v) {
                writeInteger(AMQPFormatCode.smallInt)
                writeInteger(small)
            } else {
                writeInteger(AMQPFormatCode.int)
                writeInteger(v)
            }
        case .long(let v):
            if let small = Int8(exactly: v) {
                writeInteger(AMQPFormatCode.smallLong)
                writeInteger(small)
            } else {
                writeInteger(AMQPFormatCode.long)
                writeInteger(v)
            }
        case .list(let elements) where elements.isEmpty:
            writeInteger(AMQPFormatCode.list0)
        case .described(let descriptor, let inner):
            writeInteger(AMQPFormatCode.described)
            writeAMQPValue(descriptor)
            writeAMQPValue(inner)
        default:
            let code = Self.compactCode(value)
            writeInteger(code)
            writeAMQPBody(value, code: code)
        }
    }

    /// The format code for a value whose encoding depends only on its own size.
    private static func compactCode(_ value: AMQPValue) -> UInt8 {
        switch value {
        case .float: return AMQPFormatCode.float
        case .double: return AMQPFormatCode.double
        case .decimal32: return AMQPFormatCode.decimal32
        case .decimal64: return AMQPFormatCode.decimal64
        case .decimal128: return AMQPFormatCode.decimal128
        case .char: return AMQPFormatCode.char
        case .timestamp: return AMQPFormatCode.timestamp
        case .uuid: return AMQPFormatCode.uuid
        case .binary(let b): return b.readableBytes <= 255 ? AMQPFormatCode.vbin8 : AMQPFormatCode.vbin32
        case .string(let s): return s.utf8.count <= 255 ? AMQPFormatCode.str8 : AMQPFormatCode.str32
        case .symbol(let s): return s.utf8.count <= 255 ? AMQPFormatCode.sym8 : AMQPFormatCode.sym32
        // The 8-bit form is tried first and widened by writeCompound when needed.
        case .list: return AMQPFormatCode.list8
        case .map: return AMQPFormatCode.map8
        case .array: return AMQPFormatCode.array8
        default: preconditionFailure("compactCode called for \(value)")
        }
    }

    /// Writes the bytes after the constructor. Arrays call this for each element with the shared code.
    private mutating func writeAMQPBody(_ value: AMQPValue, code: UInt8) {
        switch (value, code) {
        case (_, AMQPFormatCode.null), (_, AMQPFormatCode.booleanTrue), (_, AMQPFormatCode.booleanFalse),
             (_, AMQPFormatCode.uint0), (_, AMQPFormatCode.ulong0), (_, AMQPFormatCode.list0):
            break
        case (.boolean(let b), AMQPFormatCode.boolean): writeInteger(b ? 1 as UInt8 : 0)
        case (.ubyte(let v), _): writeInteger(v)
        case (.ushort(let v), _): writeInteger(v)
        case (.uint(let v), AMQPFormatCode.smallUint): writeInteger(UInt8(v))
        case (.uint(let v), _): writeInteger(v)
        case (.ulong(let v), AMQPFormatCode.smallUlong): writeInteger(UInt8(v))
        case (.ulong(let v), _): writeInteger(v)
        case (.byte(let v), _): writeInteger(v)
        case (.short(let v), _): writeInteger(v)
        case (.int(let v), AMQPFormatCode.smallInt): writeInteger(Int8(v))
        case (.int(let v), _): writeInteger(v)
        case (.long(let v), AMQPFormatCode.smallLong): writeInteger(Int8(v))
        case (.long(let v), _): writeInteger(v)
        case (.float(let v), _): writeInteger(v.bitPattern)
        case (.double(let v), _): writeInteger(v.bitPattern)
        case (.decimal32(let v), _): writeInteger(v)
        case (.decimal64(let v), _): writeInteger(v)
        case (.decimal128(let v), _):
            writeInteger(v.high)
            writeInteger(v.low)
        case (.char(let c), _): writeInteger(c.value)
        case (.timestamp(let v), _): writeInteger(v)
        case (.uuid(let u), _):
            writeInteger(u.high)
            writeInteger(u.low)
        case (.binary(var b), _):
            writeVariableSize(b.readableBytes, wide: code == AMQPFormatCode.vbin32)
            writeBuffer(&b)
        case (.string(let s), _), (.symbol(let s), _):
            writeVariableSize(s.utf8.count, wide: code == AMQPFormatCode.str32 || code == AMQPFormatCode.sym32)
            writeString(s)
        case (.list(let elements), _):
            writeCompound(at: writerIndex - 1, count: elements.count, wide: code == AMQPFormatCode.list32) { buffer in
                for element in elements { buffer.writeAMQPValue(element) }
            }
        case (.map(let map), _):
            writeCompound(at: writerIndex - 1, count: map.count * 2, wide: code == AMQPFormatCode.map32) { buffer in
                for entry in map.entries {
                    buffer.writeAMQPValue(entry.key)
                    buffer.writeAMQPValue(entry.value)
                }
            }
        case (.array(let elements), _):
            writeCompound(at: writerIndex - 1, count: elements.count, wide: code == AMQPFormatCode.array32) { buffer in
                buffer.writeArrayElements(elements)
            }
        case (.described(_, let inner), _):
            // Inside an array the descriptor was written once with the element constructor.
            writeAMQPBody(inner, code: code)
        default:
            preconditionFailure("format code 0x\(String(code, radix: 16)) cannot encode \(value)")
        }
    }

    private mutating func writeVariableSize(_ size: Int, wide: Bool) {
        if wide { writeInteger(UInt32(size)) } else { writeInteger(UInt8(size)) }
    }

    /// Writes size, count and body of a list, map or array whose 8-bit constructor is at `codeIndex`,
    /// rewriting it as the 32-bit form (the 8-bit code plus 0x10) if the body does not fit.
    private mutating func writeCompound(at codeIndex: Int, count: Int, wide: Bool, body: (inout ByteBuffer) -> Void) {
        let headerStart = writerIndex
        if wide || count > 255 {
            writeInteger(UInt32(0))
            writeInteger(UInt32(count))
            if !wide {
                // Only a standalone value has its own constructor to widen; array elements are wide already.
                setInteger(getInteger(at: codeIndex, as: UInt8.self)! | 0x10, at: codeIndex)
            }
            body(&self)
            setInteger(UInt32(writerIndex - headerStart - 4), at: headerStart)
            return
        }
        writeInteger(UInt8(0))
        writeInteger(UInt8(count))
        body(&self)
        let bodyLength = writerIndex - headerStart - 2
        if bodyLength + 1 <= 255 {
            setInteger(UInt8(bodyLength + 1), at: headerStart)
            return
        }
        writeRepeatingByte(0, count: 6)
        _ = try! copyBytes(at: headerStart + 2, to: headerStart + 8, length: bodyLength)
        setInteger(getInteger(at: codeIndex, as: UInt8.self)! | 0x10, at: codeIndex)
        setInteger(UInt32(bodyLength + 4), at: headerStart)
        setInteger(UInt32(count), at: headerStart + 4)
    }

    private mutating func writeArrayElements(_ elements: [AMQPValue]) {
        guard let first = elements.first else {
            // An empty array still needs a constructor; null is the smallest.
            writeInteger(AMQPFormatCode.null)
            return
        }
        if case .described(let descriptor, _) = first {
            var inner: [AMQPValue] = []
            inner.reserveCapacity(elements.count)
            for element in elements {
                guard case .described(let d, let v) = element, d == descriptor || Self.encodeAlike(d, descriptor) else {
                    preconditionFailure("array elements with different descriptors")
                }
                inner.append(v)
            }
            writeInteger(AMQPFormatCode.described)
            writeAMQPValue(descriptor)
            let code = Self.arrayElementCode(inner)
            writeInteger(code)
            for value in inner { writeAMQPBody(value, code: code) }
            return
        }
        let code = Self.arrayElementCode(elements)
        writeInteger(code)
        for value in elements { writeAMQPBody(value, code: code) }
    }

    /// Whether two values have the same encoding. `==` alone is not enough: a float NaN descriptor, which
    /// a peer may send, is not equal to itself, yet the array it came in is well-formed and must re-encode.
    private static func encodeAlike(_ a: AMQPValue, _ b: AMQPValue) -> Bool {
        var x = ByteBuffer()
        var y = ByteBuffer()
        x.writeAMQPValue(a)
        y.writeAMQPValue(b)
        return x == y
    }

    /// One constructor wide enough for every element. Zero-width codes are avoided because peers
    /// (and our decoder) limit how many zero-width elements an array may claim.
    private static func arrayElementCode(_ elements: [AMQPValue]) -> UInt8 {
        var code: UInt8?
        for element in elements {
            let c = arrayCode(element)
            guard let current = code else {
                code = c
                continue
            }
            if current == c { continue }
            guard let merged = widen(current, c) else {
                preconditionFailure("array elements of different types: \(elements)")
            }
            code = merged
        }
        return code ?? AMQPFormatCode.null
    }

    private static func arrayCode(_ value: AMQPValue) -> UInt8 {
        switch value {
        case .null: return AMQPFormatCode.null
        case .boolean: return AMQPFormatCode.boolean
        case .ubyte: return AMQPFormatCode.ubyte
        case .ushort: return AMQPFormatCode.ushort
        case .uint(let v): return v <= 255 ? AMQPFormatCode.smallUint : AMQPFormatCode.uint
        case .ulong(let v): return v <= 255 ? AMQPFormatCode.smallUlong : AMQPFormatCode.ulong
        case .byte: return AMQPFormatCode.byte
        case .short: return AMQPFormatCode.short
        case .int(let v): return Int8(exactly: v) != nil ? AMQPFormatCode.smallInt : AMQPFormatCode.int
        case .long(let v): return Int8(exactly: v) != nil ? AMQPFormatCode.smallLong : AMQPFormatCode.long
        case .list: return AMQPFormatCode.list32
        case .map: return AMQPFormatCode.map32
        case .array: return AMQPFormatCode.array32
        case .described: preconditionFailure("described values mixed with others in an array")
        default: return compactCode(value)
        }
    }

    private static func widen(_ a: UInt8, _ b: UInt8) -> UInt8? {
        let pairs: [(UInt8, UInt8)] = [
            (AMQPFormatCode.smallUint, AMQPFormatCode.uint), (AMQPFormatCode.smallUlong, AMQPFormatCode.ulong),
            (AMQPFormatCode.smallInt, AMQPFormatCode.int), (AMQPFormatCode.smallLong, AMQPFormatCode.long),
            (AMQPFormatCode.vbin8, AMQPFormatCode.vbin32), (AMQPFormatCode.str8, AMQPFormatCode.str32),
            (AMQPFormatCode.sym8, AMQPFormatCode.sym32),
        ]
        for (narrow, wide) in pairs where (a == narrow && b == wide) || (a == wide && b == narrow) {
            return wide
        }
        return nil
    }
}
