import NIOCore

/// Reads the loose encoding of one frame body: the primitives of `BaseDataStreamMarshaller` (booleans,
/// integers, nullable strings and byte arrays, nested and cached objects, object arrays, throwables),
/// each checked against the bytes the frame has left before anything is allocated.
///
/// Every read names its field (`"ConsumerInfo.selector"`), so an error says what and where; the name is
/// a `StaticString` and only becomes a `String` on the error path.
struct OpenWireReader {
    private(set) var buffer: ByteBuffer
    private let start: Int
    let options: OpenWireFormatOptions
    /// The receiving side of the marshalling cache; only touched when `options.cacheEnabled`.
    var cache: OpenWireUnmarshalCache
    private var depth = 0

    init(body: ByteBuffer, options: OpenWireFormatOptions, cache: OpenWireUnmarshalCache) {
        self.buffer = body
        self.start = body.readerIndex
        self.options = options
        self.cache = cache
    }

    /// Bytes consumed from the frame body so far.
    var offset: Int { buffer.readerIndex - start }
    var remaining: Int { buffer.readableBytes }

    func error(_ reason: OpenWireDecodeError.Reason, _ field: StaticString, at offset: Int? = nil) -> OpenWireDecodeError {
        OpenWireDecodeError(reason, field: "\(field)", offset: offset ?? self.offset)
    }

    // MARK: Fixed-size values (big-endian, as `DataOutput` writes them)

    mutating func integer<T: FixedWidthInteger>(_ field: StaticString, as: T.Type = T.self) throws(OpenWireDecodeError) -> T {
        guard let value = buffer.readInteger(as: T.self) else {
            throw error(.truncated(needed: MemoryLayout<T>.size, available: remaining), field)
        }
        return value
    }

    mutating func int8(_ field: StaticString) throws(OpenWireDecodeError) -> Int8 { try integer(field) }
    mutating func int16(_ field: StaticString) throws(OpenWireDecodeError) -> Int16 { try integer(field) }
    mutating func int32(_ field: StaticString) throws(OpenWireDecodeError) -> Int32 { try integer(field) }
    mutating func int64(_ field: StaticString) throws(OpenWireDecodeError) -> Int64 { try integer(field) }

    mutating func bool(_ field: StaticString) throws(OpenWireDecodeError) -> Bool {
        guard let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            throw error(.truncated(needed: 1, available: 0), field)
        }
        guard byte <= 1 else { throw error(.invalidBoolean(byte), field) }
        buffer.moveReaderIndex(forwardBy: 1)
        return byte == 1
    }

    // MARK: Strings and bytes

    /// `readUTF`: an unsigned 2-byte length, then that many bytes of modified UTF-8.
    mutating func utf(_ field: StaticString) throws(OpenWireDecodeError) -> String {
        let at = offset
        let length = Int(try integer(field, as: UInt16.self))
        return try utf(length: length, field, at: at)
    }

    /// `length` bytes of modified UTF-8, whose length prefix started at `at`.
    mutating func utf(length: Int, _ field: StaticString, at: Int) throws(OpenWireDecodeError) -> String {
        guard length >= 0 else { throw error(.negativeLength(length), field, at: at) }
        guard length <= remaining else {
            throw error(.lengthBeyondFrame(length: length, available: remaining), field, at: at)
        }
        let text = buffer.readWithUnsafeReadableBytes { bytes in
            (length, OpenWireModifiedUTF8.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<length])))
        }
        guard let text else { throw error(.malformedString, field, at: at) }
        return text
    }

    /// `looseUnmarshalString`: a presence boolean, then `readUTF`.
    mutating func string(_ field: StaticString) throws(OpenWireDecodeError) -> String? {
        try bool(field) ? try utf(field) : nil
    }

    /// The 4-byte length of a byte array, checked to be non-negative and within the frame.
    private mutating func length(_ field: StaticString) throws(OpenWireDecodeError) -> Int {
        let at = offset
        let length = Int(try int32(field))
        guard length >= 0 else { throw error(.negativeLength(length), field, at: at) }
        guard length <= remaining else {
            throw error(.lengthBeyondFrame(length: length, available: remaining), field, at: at)
        }
        return length
    }

    /// `looseUnmarshalByteArray`: a presence boolean, a 4-byte length, the bytes (copied: they are small
    /// and outlive the frame, like a transaction id).
    mutating func bytes(_ field: StaticString) throws(OpenWireDecodeError) -> [UInt8]? {
        guard try bool(field) else { return nil }
        let count = try length(field)
        return buffer.readBytes(length: count)
    }

    /// `looseUnmarshalByteSequence`: like `bytes`, but a slice of the frame (message bodies, properties).
    mutating func byteSequence(_ field: StaticString) throws(OpenWireDecodeError) -> ByteBuffer? {
        guard try bool(field) else { return nil }
        let count = try length(field)
        return buffer.readSlice(length: count)
    }

    /// `looseUnmarshalConstByteArray`: exactly `count` bytes, no length on the wire.
    mutating func constBytes(_ count: Int, _ field: StaticString) throws(OpenWireDecodeError) -> [UInt8] {
        guard let bytes = buffer.readBytes(length: count) else {
            throw error(.truncated(needed: count, available: remaining), field)
        }
        return bytes
    }

    // MARK: Objects

    /// `looseUnmarshalNestedObject`: a presence boolean, the type byte, the body.
    mutating func nested<T: OpenWireMarshallable>(_ type: T.Type, _ field: StaticString) throws(OpenWireDecodeError) -> T? {
        guard try bool(field) else { return nil }
        return try object(T.self, field)
    }

    /// The type byte and body of an object that must be a `T`.
    mutating func object<T: OpenWireMarshallable>(_ type: T.Type, _ field: StaticString) throws(OpenWireDecodeError) -> T {
        let at = offset
        let typeByte = try integer(field, as: UInt8.self)
        guard T.accepts(typeByte) else { throw error(Self.refusal(typeByte), field, at: at) }
        try descend(field, at: at)
        defer { ascend() }
        do throws(OpenWireDecodeError) {
            return try T(reading: &self, type: typeByte)
        } catch {
            throw error.within("\(field)")
        }
    }

    /// Why a type byte cannot stand in a field: unknown to v12, known but not decoded by Pier, or decoded
    /// but of the wrong kind for this field.
    static func refusal(_ type: UInt8) -> OpenWireDecodeError.Reason {
        if OpenWireDataStructure.accepts(type) { return .unexpectedType(type) }
        if OpenWireTypeID.unsupported.contains(type) { return .unsupportedType(type) }
        return .unknownType(type)
    }

    /// `looseUnmarsalCachedObject`. With the cache off it is a nested object. With it on: a boolean
    /// "new", a 2-byte slot index, and for a new value the nested object that fills the slot (null
    /// included: Java caches null like any value, and later refers to it).
    mutating func cached<T: OpenWireMarshallable>(_ type: T.Type, _ field: StaticString) throws(OpenWireDecodeError) -> T? {
        guard options.cacheEnabled else { return try nested(T.self, field) }
        let isNew = try bool(field)
        let at = offset
        let index = try int16(field)
        if isNew {
            guard index >= -1 && Int(index) < cache.size else { throw error(.invalidCacheIndex(index), field, at: at) }
            let value = try nested(T.self, field)
            cache.store(value?.asDataStructure, at: index)
            return value
        }
        guard index >= 0 && Int(index) < cache.size else { throw error(.invalidCacheIndex(index), field, at: at) }
        switch cache.slot(index) {
        case .empty:
            throw error(.cacheMiss(index), field, at: at)
        case .null:
            return nil
        case .value(let structure):
            guard let value = T(structure) else {
                throw error(.unexpectedType(structure.typeID.rawValue), field, at: at)
            }
            return value
        }
    }

    /// `looseUnmarshal...Array` of nested objects: a presence boolean, a 2-byte count, the objects.
    mutating func array<T: OpenWireMarshallable>(_ type: T.Type, _ field: StaticString) throws(OpenWireDecodeError) -> [T?]? {
        guard try bool(field) else { return nil }
        let at = offset
        let count = Int(try int16(field))
        guard count >= 0 else { throw error(.negativeLength(count), field, at: at) }
        // Every element takes at least its presence byte.
        guard count <= remaining else { throw error(.lengthBeyondFrame(length: count, available: remaining), field, at: at) }
        var elements: [T?] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try nested(T.self, field)) }
        return elements
    }

    /// `looseUnmarsalThrowable`: a presence boolean, class name, message and, when stack traces are on,
    /// the stack trace elements and the cause (recursively).
    mutating func throwable(_ field: StaticString) throws(OpenWireDecodeError) -> OpenWireThrowable? {
        guard try bool(field) else { return nil }
        try descend(field)
        defer { ascend() }
        do throws(OpenWireDecodeError) {
            return try OpenWireThrowable(reading: &self)
        } catch {
            throw error.within("\(field)")
        }
    }

    /// Enters one level of nesting (an object, an exception cause, a primitive map or list).
    mutating func descend(_ field: StaticString, at offset: Int? = nil) throws(OpenWireDecodeError) {
        guard depth < options.maxNestingDepth else {
            throw error(.nestingTooDeep(limit: options.maxNestingDepth), field, at: offset)
        }
        depth += 1
    }

    mutating func ascend() {
        depth -= 1
    }
}
