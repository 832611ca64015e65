import NIOCore

/// `MarshallingSupport.marshalPrimitiveMap`: a 4-byte entry count (-1 for a null map), then per entry
/// a `writeUTF` key and a typed value. It holds message properties, MapMessage bodies and
/// WireFormatInfo settings.
///
/// Entries keep their wire order (a Java `HashMap`'s iteration order), so a decoded map re-encodes to
/// the same bytes. A key may repeat on the wire; the subscript reads the last one, as `HashMap.put`
/// would have kept it.
public struct OpenWirePrimitiveMap: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: OpenWirePrimitive

        public init(key: String, value: OpenWirePrimitive) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public init(dictionaryLiteral elements: (String, OpenWirePrimitive)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of the last entry named `key`. Setting replaces that entry (and drops earlier duplicates),
    /// or appends; setting nil removes every entry named `key`.
    public subscript(key: String) -> OpenWirePrimitive? {
        get { entries.last(where: { $0.key == key })?.value }
        set {
            guard let newValue else {
                entries.removeAll { $0.key == key }
                return
            }
            guard let first = entries.firstIndex(where: { $0.key == key }) else {
                entries.append(Entry(key: key, value: newValue))
                return
            }
            entries[first].value = newValue
            var i = entries.count - 1
            while i > first {
                if entries[i].key == key { entries.remove(at: i) }
                i -= 1
            }
        }
    }

    // MARK: Typed reads, for settings and well-known properties

    public func bool(_ key: String) -> Bool? {
        if case .bool(let v)? = self[key] { return v }
        return nil
    }

    /// Any integer value (byte, short, int, long), widened: Java writes `CacheSize` as an int and
    /// `MaxInactivityDuration` as a long.
    public func integer(_ key: String) -> Int64? {
        switch self[key] {
        case .byte(let v)?: return Int64(v)
        case .short(let v)?: return Int64(v)
        case .int(let v)?: return Int64(v)
        case .long(let v)?: return v
        default: return nil
        }
    }

    public func string(_ key: String) -> String? {
        if case .string(let v)? = self[key] { return v }
        return nil
    }

    // MARK: Marshalling

    /// Decodes a whole marshalled map (nil for a null map); the bytes must hold exactly one.
    public static func decode(_ bytes: ByteBuffer, maxNestingDepth: Int = 32, field: String = "PrimitiveMap")
        throws(OpenWireDecodeError) -> OpenWirePrimitiveMap? {
        var reader = OpenWireReader(body: bytes, options: OpenWireFormatOptions(maxNestingDepth: maxNestingDepth),
                                    cache: OpenWireUnmarshalCache())
        do throws(OpenWireDecodeError) {
            let map = try read(&reader, "PrimitiveMap")
            guard reader.remaining == 0 else { throw reader.error(.trailingBytes(reader.remaining), "PrimitiveMap.end") }
            return map
        } catch {
            throw error.within(field)
        }
    }

    /// Appends this map's marshalled form.
    public func encode(into buffer: inout ByteBuffer, maxNestingDepth: Int = 32) throws(OpenWireEncodeError) {
        var writer = OpenWireWriter(buffer: buffer, options: OpenWireFormatOptions(maxNestingDepth: maxNestingDepth),
                                    cache: OpenWireMarshalCache())
        buffer = OpenWireWriter.placeholder
        defer { buffer = writer.buffer }
        try write(to: &writer, "PrimitiveMap")
    }

    /// Marshalled form of a null map.
    public static func encodeNull(into buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(-1))
    }

    /// `unmarshalPrimitiveMap`: any negative count is a null map, as in Java.
    static func read(_ r: inout OpenWireReader, _ field: StaticString) throws(OpenWireDecodeError) -> OpenWirePrimitiveMap? {
        let at = r.offset
        let count = Int(try r.int32(field))
        guard count >= 0 else { return nil }
        // An entry takes at least 3 bytes: the key's length and the value's tag.
        guard count <= r.remaining / 3 else {
            throw r.error(.lengthBeyondFrame(length: count, available: r.remaining), field, at: at)
        }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let key = try r.utf("PrimitiveMap.key")
            entries.append(Entry(key: key, value: try OpenWirePrimitive.read(&r, "PrimitiveMap.value")))
        }
        return OpenWirePrimitiveMap(entries)
    }

    func write(to w: inout OpenWireWriter, _ field: StaticString) throws(OpenWireEncodeError) {
        guard entries.count <= Int(Int32.max) else {
            throw OpenWireEncodeError(.arrayTooLong(count: entries.count), field: "\(field)")
        }
        w.int32(Int32(entries.count))
        for entry in entries {
            try w.utf(entry.key, "PrimitiveMap.key")
            try entry.value.write(to: &w, "PrimitiveMap.value")
        }
    }
}
