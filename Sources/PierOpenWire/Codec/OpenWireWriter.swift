import NIOCore

/// Writes the loose encoding: the mirror of `OpenWireReader`, byte for byte what ActiveMQ's
/// `looseMarshal` methods write, so a frame decoded and encoded again is the frame that came in.
struct OpenWireWriter {
    /// Swapped in from the caller's buffer for the length of one encode (see `OpenWireFrameEncoder`), so
    /// writes go straight into the caller's storage without a copy.
    var buffer: ByteBuffer
    let options: OpenWireFormatOptions
    /// The sending side of the marshalling cache; only touched when `options.cacheEnabled`.
    var cache: OpenWireMarshalCache
    private var depth = 0

    /// Stands in for a caller's buffer while a writer owns it, so the storage stays uniquely referenced
    /// and is written in place rather than copied.
    static let placeholder = ByteBuffer()

    init(buffer: ByteBuffer, options: OpenWireFormatOptions, cache: OpenWireMarshalCache) {
        self.buffer = buffer
        self.options = options
        self.cache = cache
    }

    // MARK: Fixed-size values

    mutating func bool(_ value: Bool) { buffer.writeInteger(value ? 1 : 0, as: UInt8.self) }
    mutating func int8(_ value: Int8) { buffer.writeInteger(value) }
    mutating func int16(_ value: Int16) { buffer.writeInteger(value) }
    mutating func int32(_ value: Int32) { buffer.writeInteger(value) }
    mutating func int64(_ value: Int64) { buffer.writeInteger(value) }

    // MARK: Strings and bytes

    /// `writeUTF`: refuses more than 65535 bytes like Java's `UTFDataFormatException` ("encoded string
    /// too long"), which is also what ActiveMQ does with such a string in loose mode.
    mutating func utf(_ value: String, _ field: StaticString) throws(OpenWireEncodeError) {
        let length = OpenWireModifiedUTF8.encodedLength(value)
        guard length <= Int(UInt16.max) else {
            throw OpenWireEncodeError(.stringTooLong(utf8Length: length), field: "\(field)")
        }
        buffer.writeInteger(UInt16(length))
        OpenWireModifiedUTF8.write(value, length: length, into: &buffer)
    }

    mutating func string(_ value: String?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        if let value { try utf(value, field) }
    }

    mutating func bytes(_ value: [UInt8]?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        guard let value else { return }
        guard value.count <= Int(Int32.max) else {
            throw OpenWireEncodeError(.bytesTooLong(count: value.count), field: "\(field)")
        }
        buffer.writeInteger(Int32(value.count))
        buffer.writeBytes(value)
    }

    mutating func byteSequence(_ value: ByteBuffer?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        guard var value else { return }
        guard value.readableBytes <= Int(Int32.max) else {
            throw OpenWireEncodeError(.bytesTooLong(count: value.readableBytes), field: "\(field)")
        }
        buffer.writeInteger(Int32(value.readableBytes))
        buffer.writeBuffer(&value)
    }

    mutating func constBytes(_ value: [UInt8]) { buffer.writeBytes(value) }

    // MARK: Objects

    mutating func nested<T: OpenWireMarshallable>(_ value: T?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        if let value { try object(value, field) }
    }

    mutating func object<T: OpenWireMarshallable>(_ value: T, _ field: StaticString) throws(OpenWireEncodeError) {
        try descend(field)
        defer { ascend() }
        buffer.writeInteger(value.typeID.rawValue)
        try value.write(to: &self)
    }

    /// `looseMarshalCachedObject`: a known value goes out as "not new" and its slot; an unknown one takes
    /// the next slot and goes out in full after it.
    mutating func cached<T: OpenWireMarshallable>(_ value: T?, _ field: StaticString) throws(OpenWireEncodeError) {
        guard options.cacheEnabled else { return try nested(value, field) }
        let key = value?.asDataStructure
        if let index = cache.index(of: key) {
            bool(false)
            int16(index)
        } else {
            bool(true)
            int16(cache.add(key))
            try nested(value, field)
        }
    }

    mutating func array<T: OpenWireMarshallable>(_ value: [T?]?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        guard let value else { return }
        guard value.count <= Int(Int16.max) else {
            throw OpenWireEncodeError(.arrayTooLong(count: value.count), field: "\(field)")
        }
        int16(Int16(value.count))
        for element in value { try nested(element, field) }
    }

    mutating func throwable(_ value: OpenWireThrowable?, _ field: StaticString) throws(OpenWireEncodeError) {
        bool(value != nil)
        guard let value else { return }
        try descend(field)
        defer { ascend() }
        try value.write(to: &self)
    }

    /// Enters one level of nesting; refuses what the reader would refuse.
    mutating func descend(_ field: StaticString) throws(OpenWireEncodeError) {
        guard depth < options.maxNestingDepth else {
            throw OpenWireEncodeError(.nestingTooDeep(limit: options.maxNestingDepth), field: "\(field)")
        }
        depth += 1
    }

    mutating func ascend() {
        depth -= 1
    }
}
