import NIOCore

/// Reads AMQP values from untrusted bytes. Sizes are checked against what is actually there
/// before anything is allocated, so a peer cannot make Pier reserve memory it never sent.
public enum AMQPValueDecoder {
    /// Deeper nesting than any real message needs; bounds the recursion on hostile input.
    public static let maxDepth = 64
    /// Zero-width array elements (nulls, true, uint0...) take no bytes, so their count is capped apart.
    public static let maxZeroWidthArrayElements = 65_536

    public static func decode(_ buffer: inout ByteBuffer) throws(AMQPDecodeError) -> AMQPValue {
        try readValue(&buffer, depth: 0)
    }

    static func readValue(_ buffer: inout ByteBuffer, depth: Int) throws(AMQPDecodeError) -> AMQPValue {
        let code = try readByte(&buffer)
        if code == AMQPFormatCode.described {
            guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
            let descriptor = try readValue(&buffer, depth: depth + 1)
            let value = try readValue(&buffer, depth: depth + 1)
            return .described(descriptor: descriptor, value: value)
        }
        return try readBody(&buffer, code: code, depth: depth)
    }

    private static func readByte(_ buffer: inout ByteBuffer) throws(AMQPDecodeError) -> UInt8 {
        guard let byte = buffer.readInteger(as: UInt8.self) else { throw .truncated(needed: 1, available: 0) }
        return byte
    }

    private static func read<T: FixedWidthInteger>(_ buffer: inout ByteBuffer, as: T.Type) throws(AMQPDecodeError) -> T {
        guard let value = buffer.readInteger(as: T.self) else {
            throw .truncated(needed: MemoryLayout<T>.size, available: buffer.readableBytes)
        }
        return value
    }

    private static func readSized(_ buffer: inout ByteBuffer, wide: Bool) throws(AMQPDecodeError) -> ByteBuffer {
        let size = wide ? Int(try read(&buffer, as: UInt32.self)) : Int(try read(&buffer, as: UInt8.self))
        guard size <= buffer.readableBytes, let slice = buffer.readSlice(length: size) else {
            throw .sizeExceedsBuffer(declared: size, available: buffer.readableBytes)
        }
        return slice
    }

    static func readBody(_ buffer: inout ByteBuffer, code: UInt8, depth: Int) throws(AMQPDecodeError) -> AMQPValue {
        switch code {
        case AMQPFormatCode.null: return .null
        case AMQPFormatCode.booleanTrue: return .boolean(true)
        case AMQPFormatCode.booleanFalse: return .boolean(false)
        case AMQPFormatCode.boolean:
            let byte = try readByte(&buffer)
            guard byte <= 1 else { throw .invalidBoolean(byte) }
            return .boolean(byte == 1)
        case AMQPFormatCode.ubyte: return .ubyte(try read(&buffer, as: UInt8.self))
        case AMQPFormatCode.ushort: return .ushort(try read(&buffer, as: UInt16.self))
        case AMQPFormatCode.uint: return .uint(try read(&buffer, as: UInt32.self))
        case AMQPFormatCode.smallUint: return .uint(UInt32(try read(&buffer, as: UInt8.self)))
        case AMQPFormatCode.uint0: return .uint(0)
        case AMQPFormatCode.ulong: return .ulong(try read(&buffer, as: UInt64.self))
        case AMQPFormatCode.smallUlong: return .ulong(UInt64(try read(&buffer, as: UInt8.self)))
        case AMQPFormatCode.ulong0: return .ulong(0)
        case AMQPFormatCode.byte: return .byte(try read(&buffer, as: Int8.self))
        case AMQPFormatCode.short: return .short(try read(&buffer, as: Int16.self))
        case AMQPFormatCode.int: return .int(try read(&buffer, as: Int32.self))
        case AMQPFormatCode.smallInt: return .int(Int32(try read(&buffer, as: Int8.self)))
        case AMQPFormatCode.long: return .long(try read(&buffer, as: Int64.self))
        case AMQPFormatCode.smallLong: return .long(Int64(try read(&buffer, as: Int8.self)))
        case AMQPFormatCode.float: return .float(Float(bitPattern: try read(&buffer, as: UInt32.self)))
        case AMQPFormatCode.double: return .double(Double(bitPattern: try read(&buffer, as: UInt64.self)))
        case AMQPFormatCode.decimal32: return .decimal32(try read(&buffer, as: UInt32.self))
        case AMQPFormatCode.decimal64: return .decimal64(try read(&buffer, as: UInt64.self))
        case AMQPFormatCode.decimal128:
            guard buffer.readableBytes >= 16 else { throw .truncated(needed: 16, available: buffer.readableBytes) }
            return .decimal128(AMQPDecimal128(high: try read(&buffer, as: UInt64.self), low: try read(&buffer, as: UInt64.self)))
        case AMQPFormatCode.char:
            let raw = try read(&buffer, as: UInt32.self)
            guard let scalar = Unicode.Scalar(raw) else { throw .invalidChar(raw) }
            return .char(scalar)
        case AMQPFormatCode.timestamp: return .timestamp(try read(&buffer, as: Int64.self))
        case AMQPFormatCode.uuid:
            guard buffer.readableBytes >= 16 else { throw .truncated(needed: 16, available: buffer.readableBytes) }
            return .uuid(AMQPUUID(high: try read(&buffer, as: UInt64.self), low: try read(&buffer, as: UInt64.self)))
        case AMQPFormatCode.vbin8, AMQPFormatCode.vbin32:
            return .binary(try readSized(&buffer, wide: code == AMQPFormatCode.vbin32))
        case AMQPFormatCode.str8, AMQPFormatCode.str32:
            let bytes = try readSized(&buffer, wide: code == AMQPFormatCode.str32)
            guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else { throw .invalidUTF8 }
            return .string(string)
        case AMQPFormatCode.sym8, AMQPFormatCode.sym32:
            let bytes = try readSized(&buffer, wide: code == AMQPFormatCode.sym32)
            guard bytes.readableBytesView.allSatisfy({ $0 < 0x80 }),
                  let symbol = String(validating: bytes.readableBytesView, as: UTF8.self) else { throw .invalidSymbol }
            return .symbol(symbol)
        case AMQPFormatCode.list0: return .list([])
        case AMQPFormatCode.list8, AMQPFormatCode.list32:
            return .list(try readCompound(&buffer, wide: code == AMQPFormatCode.list32, depth: depth))
        case AMQPFormatCode.map8, AMQPFormatCode.map32:
            let elements = try readCompound(&buffer, wide: code == AMQPFormatCode.map32, depth: depth, map: true)
            var entries: [AMQPMap.Entry] = []
            entries.reserveCapacity(elements.count / 2)
            var index = 0
            while index < elements.count {
                entries.append(AMQPMap.Entry(key: elements[index], value: elements[index + 1]))
                index += 2
            }
            return .map(AMQPMap(entries))
        case AMQPFormatCode.array8, AMQPFormatCode.array32:
            return .array(try readArray(&buffer, wide: code == AMQPFormatCode.array32, depth: depth))
        default:
            throw .unknownFormatCode(code)
        }
    }

    private static func readCompound(_ buffer: inout ByteBuffer, wide: Bool, depth: Int, map: Bool = false) throws(AMQPDecodeError) -> [AMQPValue] {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
        var body = try readSized(&buffer, wide: wide)
        let size = body.readableBytes
        let count = wide ? Int(try read(&body, as: UInt32.self)) : Int(try read(&body, as: UInt8.self))
        // Every element needs at least its constructor byte.
        guard count <= body.readableBytes else { throw .countExceedsSize(count: count, size: size) }
        if map && count % 2 != 0 { throw .oddMapElementCount(count) }
        var elements: [AMQPValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readValue(&body, depth: depth + 1))
        }
        guard body.readableBytes == 0 else { throw .sizeMismatch(declared: size, consumed: size - body.readableBytes) }
        return elements
    }

    private static func readArray(_ buffer: inout ByteBuffer, wide: Bool, depth: Int) throws(AMQPDecodeError) -> [AMQPValue] {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
        var body = try readSized(&buffer, wide: wide)
        let size = body.readableBytes
        let count = wide ? Int(try read(&body, as: UInt32.self)) : Int(try read(&body, as: UInt8.self))
        var code = try readByte(&body)
        var descriptor: AMQPValue?
        if code == AMQPFormatCode.described {
            descriptor = try readValue(&body, depth: depth + 1)
            code = try readByte(&body)
            guard code != AMQPFormatCode.described else { throw .invalidArrayElementConstructor(code) }
        }
        let zeroWidth: Set<UInt8> = [AMQPFormatCode.null, AMQPFormatCode.booleanTrue, AMQPFormatCode.booleanFalse,
                                     AMQPFormatCode.uint0, AMQPFormatCode.ulong0, AMQPFormatCode.list0]
        if zeroWidth.contains(code) {
            guard count <= maxZeroWidthArrayElements else { throw .countExceedsSize(count: count, size: size) }
        } else if count > body.readableBytes {
            throw .countExceedsSize(count: count, size: size)
        }
        var elements: [AMQPValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            let value = try readBody(&body, code: code, depth: depth + 1)
            if let descriptor {
                elements.append(.described(descriptor: descriptor, value: value))
            } else {
                elements.append(value)
            }
        }
        guard body.readableBytes == 0 else { throw .sizeMismatch(declared: size, consumed: size - body.readableBytes) }
        return elements
    }
}

extension ByteBuffer {
    /// Reads one complete AMQP value, moving the reader index past it only on success.
    public mutating func readAMQPValue() throws(AMQPDecodeError) -> AMQPValue {
        var copy = self
        let value = try AMQPValueDecoder.decode(&copy)
        self = copy
        return value
    }
}
