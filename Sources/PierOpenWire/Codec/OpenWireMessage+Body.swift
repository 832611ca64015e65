import NIOCore

/// Decoding and encoding of what `OpenWireMessage` keeps as bytes: the properties and the body of each
/// message kind, laid out as ActiveMQ's `ActiveMQ*Message.storeContent` writes them.
///
/// - Properties: a primitive map, never compressed.
/// - Text: a 4-byte length (-1 for a null text) and modified UTF-8 (`MarshallingSupport.writeUTF8`).
/// - Map: a primitive map; no content means an empty map.
/// - Stream: primitives one after another up to the end.
/// - Bytes: the bytes.
/// With `compressed`, the text, map and stream layouts are wrapped in one zlib stream, and a bytes
/// body is a 4-byte uncompressed length followed by a zlib stream. Decoding inflates (up to
/// `maxInflatedSize`); encoding never compresses and clears `compressed`.
extension OpenWireMessage {
    /// ActiveMQ's `DEFAULT_MAX_INFLATED_DATA_SIZE`.
    public static let defaultMaxInflatedSize = 100 * 1024 * 1024

    // MARK: Properties

    /// The message properties; nil when the message has none.
    public func properties(maxNestingDepth: Int = 32) throws(OpenWireDecodeError) -> OpenWirePrimitiveMap? {
        guard let marshalledProperties else { return nil }
        return try OpenWirePrimitiveMap.decode(marshalledProperties, maxNestingDepth: maxNestingDepth,
                                               field: "Message.marshalledProperties")
    }

    /// Replaces the properties; nil or an empty map removes them, as a Java client leaves them out.
    public mutating func setProperties(_ properties: OpenWirePrimitiveMap?) throws(OpenWireEncodeError) {
        guard let properties, !properties.isEmpty else {
            marshalledProperties = nil
            return
        }
        var bytes = ByteBuffer()
        try properties.encode(into: &bytes)
        marshalledProperties = bytes
    }

    // MARK: Bodies

    /// The body bytes after inflating a compressed body; nil when there is no content.
    public func uncompressedContent(maxInflatedSize: Int = defaultMaxInflatedSize) throws(OpenWireDecodeError) -> ByteBuffer? {
        guard var content else { return nil }
        guard compressed else { return content }
        var expected: Int?
        if kind == .bytes {
            // A compressed BytesMessage starts with its uncompressed length.
            guard let length = content.readInteger(as: Int32.self), length >= 0 else {
                throw OpenWireDecodeError(.badCompressedBody, field: "Message.content", offset: 0)
            }
            guard Int(length) <= maxInflatedSize else {
                throw OpenWireDecodeError(.badCompressedBody, field: "Message.content", offset: 0)
            }
            expected = Int(length)
        }
        let deflated = Array(content.readableBytesView)
        switch OpenWireInflater.inflate(deflated, limit: expected ?? maxInflatedSize) {
        case .success(let bytes) where expected == nil || bytes.count == expected:
            return ByteBuffer(bytes: bytes)
        default:
            throw OpenWireDecodeError(.badCompressedBody, field: "Message.content", offset: 0)
        }
    }

    /// The text of a TextMessage; nil for a null text or no content.
    public func text(maxInflatedSize: Int = defaultMaxInflatedSize) throws(OpenWireDecodeError) -> String? {
        try requireKind(.text)
        guard let body = try uncompressedContent(maxInflatedSize: maxInflatedSize) else { return nil }
        var reader = Self.bodyReader(body, maxNestingDepth: 1)
        do throws(OpenWireDecodeError) {
            // `MarshallingSupport.readUTF8`: any negative length is a null text.
            let at = reader.offset
            let length = Int(try reader.int32("TextMessage.text"))
            let text = length < 0 ? nil : try reader.utf(length: length, "TextMessage.text", at: at)
            guard reader.remaining == 0 else { throw reader.error(.trailingBytes(reader.remaining), "TextMessage.end") }
            return text
        } catch {
            throw error.within("Message.content")
        }
    }

    public mutating func setText(_ text: String?) throws(OpenWireEncodeError) {
        compressed = false
        guard let text else {
            content = nil
            return
        }
        var writer = Self.bodyWriter()
        try writer.bigUTF(text, "TextMessage.text")
        content = writer.buffer
    }

    /// The entries of a MapMessage (empty when it has no content).
    public func mapBody(maxNestingDepth: Int = 32, maxInflatedSize: Int = defaultMaxInflatedSize)
        throws(OpenWireDecodeError) -> OpenWirePrimitiveMap {
        try requireKind(.map)
        guard let body = try uncompressedContent(maxInflatedSize: maxInflatedSize) else { return [:] }
        return try OpenWirePrimitiveMap.decode(body, maxNestingDepth: maxNestingDepth, field: "Message.content") ?? [:]
    }

    /// Stores `map`; an empty map leaves no content, as in Java.
    public mutating func setMapBody(_ map: OpenWirePrimitiveMap) throws(OpenWireEncodeError) {
        compressed = false
        guard !map.isEmpty else {
            content = nil
            return
        }
        var bytes = ByteBuffer()
        try map.encode(into: &bytes)
        content = bytes
    }

    /// The elements of a StreamMessage.
    public func streamBody(maxNestingDepth: Int = 32, maxInflatedSize: Int = defaultMaxInflatedSize)
        throws(OpenWireDecodeError) -> [OpenWirePrimitive] {
        try requireKind(.stream)
        guard let body = try uncompressedContent(maxInflatedSize: maxInflatedSize) else { return [] }
        var reader = Self.bodyReader(body, maxNestingDepth: maxNestingDepth)
        var elements: [OpenWirePrimitive] = []
        do throws(OpenWireDecodeError) {
            while reader.remaining > 0 { elements.append(try OpenWirePrimitive.read(&reader, "StreamMessage.element")) }
        } catch {
            throw error.within("Message.content")
        }
        return elements
    }

    public mutating func setStreamBody(_ elements: [OpenWirePrimitive]) throws(OpenWireEncodeError) {
        compressed = false
        guard !elements.isEmpty else {
            content = nil
            return
        }
        var writer = Self.bodyWriter()
        for element in elements { try element.write(to: &writer, "StreamMessage.element") }
        content = writer.buffer
    }

    // MARK: Support

    private func requireKind(_ expected: Kind) throws(OpenWireDecodeError) {
        guard kind == expected else {
            throw OpenWireDecodeError(.wrongMessageKind(OpenWireTypeID(rawValue: kind.rawValue)),
                                      field: "Message.content", offset: 0)
        }
    }

    private static func bodyReader(_ body: ByteBuffer, maxNestingDepth: Int) -> OpenWireReader {
        OpenWireReader(body: body, options: OpenWireFormatOptions(maxNestingDepth: maxNestingDepth),
                       cache: OpenWireUnmarshalCache())
    }

    private static func bodyWriter() -> OpenWireWriter {
        OpenWireWriter(buffer: ByteBuffer(), options: OpenWireFormatOptions(), cache: OpenWireMarshalCache())
    }
}
