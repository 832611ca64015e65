import NIOCore

/// Turns `OpenWireCommand`s into frames: a 4-byte big-endian size, then the type byte and the loose
/// marshalled fields, as ActiveMQ's `OpenWireFormat.marshal` writes them with tight encoding off.
///
/// One encoder per connection direction: with `options.cacheEnabled` it keeps the marshalling cache in
/// step with the peer's decoder, so cached fields go out in full once and as a slot index afterwards.
/// After a failed encode nothing has been appended and the cache starts over (safe: the peer's slots are
/// simply overwritten as new entries arrive, and nothing refers to an entry the peer never saw).
///
/// The encoder does not enforce a maximum frame size (ActiveMQ's loose marshaller does not either); the
/// broker bounds what it sends by the messages it accepted.
public struct OpenWireFrameEncoder: Sendable {
    public var options: OpenWireFormatOptions {
        didSet {
            if options.cacheEnabled != oldValue.cacheEnabled || options.cacheSize != oldValue.cacheSize {
                cache = OpenWireMarshalCache(options: options)
            }
        }
    }
    private var cache: OpenWireMarshalCache

    public init(options: OpenWireFormatOptions = .init()) {
        self.options = options
        self.cache = OpenWireMarshalCache(options: options)
    }

    /// Appends `command` as one frame.
    public mutating func encode(_ command: OpenWireCommand, into buffer: inout ByteBuffer) throws(OpenWireEncodeError) {
        if options.cacheEnabled { cache.sweep() }
        let start = buffer.writerIndex
        var writer = OpenWireWriter(buffer: buffer, options: options, cache: cache)
        buffer = OpenWireWriter.placeholder
        cache = OpenWireMarshalCache()
        writer.int32(0)
        writer.buffer.writeInteger(command.typeID.rawValue)
        do throws(OpenWireEncodeError) {
            try command.write(to: &writer)
        } catch {
            buffer = writer.buffer
            buffer.moveWriterIndex(to: start)
            cache = OpenWireMarshalCache(options: options)
            throw error
        }
        let size = writer.buffer.writerIndex - start - OpenWireFrameDecoder.prefixLength
        guard size <= Int(Int32.max) else {
            writer.buffer.moveWriterIndex(to: start)
            buffer = writer.buffer
            cache = OpenWireMarshalCache(options: options)
            throw OpenWireEncodeError(.bytesTooLong(count: size), field: "Frame.size")
        }
        // Written through the writer, which still owns the storage: once `buffer` shares it again, a
        // mutation of `buffer` while `writer` lives would copy the whole outbound buffer (copy-on-write),
        // once per frame.
        writer.buffer.setInteger(Int32(size), at: start)
        buffer = writer.buffer
        cache = writer.cache
    }
}
