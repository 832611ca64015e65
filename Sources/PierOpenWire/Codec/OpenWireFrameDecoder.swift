import NIOCore

/// Turns bytes into `OpenWireCommand`s, one frame per `next` call.
///
/// A frame is a 4-byte big-endian size, then that many bytes: the command's type byte and its loose
/// marshalled fields. The size is checked as soon as its 4 bytes are in (negative, zero or over
/// `options.maxFrameSize` is an error) so a peer cannot make the broker buffer a body it will refuse.
/// `next` consumes nothing until the whole frame is there and returns nil meanwhile: the caller appends
/// more bytes and calls again. Unlike STOMP, no scan is needed to find the end, so there is nothing to
/// remember between calls beyond the marshalling cache.
///
/// One decoder per connection direction: with `options.cacheEnabled` it keeps the slots the peer filled
/// (`OpenWireUnmarshalCache`), and setting new options after the WireFormatInfo exchange empties them,
/// as ActiveMQ's renegotiation does.
///
/// Strictness beyond ActiveMQ, each because ActiveMQ would go on reading a stream it has lost track of:
/// trailing bytes after a command, booleans other than 0/1, a null (type 0) command, a reference to a
/// cache slot never filled. Message bodies and properties are not looked into here (see
/// `OpenWireMessage+Body.swift`), and they are slices of the input buffer: a caller that keeps a message
/// long after reading it should copy them so a small message does not pin a large receive buffer.
public struct OpenWireFrameDecoder: Sendable {
    public var options: OpenWireFormatOptions {
        didSet {
            if options.cacheEnabled != oldValue.cacheEnabled || options.cacheSize != oldValue.cacheSize {
                cache = OpenWireUnmarshalCache(options: options)
            }
        }
    }
    private var cache: OpenWireUnmarshalCache

    public init(options: OpenWireFormatOptions = .init()) {
        self.options = options
        self.cache = OpenWireUnmarshalCache(options: options)
    }

    /// Bytes of the size prefix.
    public static let prefixLength = 4

    /// The next command at the front of `buffer`, consuming its frame; nil when more bytes are needed
    /// (nothing consumed). On error nothing is consumed either: the connection cannot continue.
    public mutating func next(_ buffer: inout ByteBuffer) throws(OpenWireDecodeError) -> OpenWireCommand? {
        guard let bodyLength = try Self.bodyLength(of: buffer, maxFrameSize: options.maxFrameSize) else { return nil }
        let body = buffer.getSlice(at: buffer.readerIndex + Self.prefixLength, length: bodyLength)!
        let command = try decode(body: body)
        buffer.moveReaderIndex(forwardBy: Self.prefixLength + bodyLength)
        return command
    }

    /// The body length of the frame at the front of `buffer` once all of it is in; nil before. Checks the
    /// size prefix as soon as it is complete.
    public static func bodyLength(of buffer: ByteBuffer, maxFrameSize: Int) throws(OpenWireDecodeError) -> Int? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0 else { throw OpenWireDecodeError(.negativeFrameSize(size), field: "Frame.size", offset: 0) }
        guard size > 0 else { throw OpenWireDecodeError(.emptyFrame, field: "Frame.size", offset: 0) }
        guard Int(size) <= maxFrameSize else {
            throw OpenWireDecodeError(.frameTooLarge(size: Int(size), limit: maxFrameSize), field: "Frame.size", offset: 0)
        }
        guard buffer.readableBytes >= prefixLength + Int(size) else { return nil }
        return Int(size)
    }

    /// Decodes one frame body (type byte and fields, no size prefix), which must hold exactly one command.
    public mutating func decode(body: ByteBuffer) throws(OpenWireDecodeError) -> OpenWireCommand {
        // The cache moves into the reader and back, so its slots are never copied.
        var reader = OpenWireReader(body: body, options: options, cache: cache)
        cache = OpenWireUnmarshalCache()
        defer { cache = reader.cache }
        let type = try reader.integer("Frame.type", as: UInt8.self)
        guard OpenWireCommand.accepts(type) else {
            let reason: OpenWireDecodeError.Reason
            if type == OpenWireTypeID.null.rawValue {
                reason = .nullCommand
            } else if OpenWireDataStructure.accepts(type) {
                reason = .notACommand(type)
            } else {
                reason = OpenWireReader.refusal(type)
            }
            throw OpenWireDecodeError(reason, field: "Frame.type", offset: 0)
        }
        let command = try OpenWireCommand(reading: &reader, type: type)
        guard reader.remaining == 0 else {
            throw reader.error(.trailingBytes(reader.remaining), "Frame.end")
        }
        return command
    }
}
