import NIOCore

/// Turns bytes into `STOMPFrame`s and heart-beats, one event per `next` call, for STOMP 1.0, 1.1 and 1.2.
///
/// Incremental: `next` returns nil until a whole frame is in the buffer and consumes nothing until then, so
/// the caller appends more bytes and calls again. To stay linear when a large frame trickles in a few bytes
/// at a time, the decoder remembers how far it got (parsed header lines, how much of the body it searched);
/// that memory is relative to the reader index, so the caller must keep the unread bytes as they are and
/// only append (what a cumulation buffer does). `reset()` forgets it.
///
/// The decoder checks the grammar of one frame; which commands and headers are allowed when is the state
/// machine's business (a body on SUBSCRIBE, a missing `destination`, a frame before CONNECT...).
///
/// Choices where the specs leave room:
/// - Lines end in LF or CR LF in every version (1.0 and 1.1 only name LF, but clients send both). A CR
///   elsewhere in a line is kept as an ordinary byte, so in 1.0 and 1.1 a value cannot end in CR.
/// - Header names and values are never trimmed, in 1.0 either; the first `:` separates name from value, and
///   further colons belong to the value in every version (raw colons are common and harmless there).
/// - A header line without `:` is `.malformedHeader`; one starting with `:` is `.emptyHeaderName`.
/// - The first `content-length` wins like any header; surrounding spaces are allowed, anything but digits
///   after that is `.invalidContentLength`. It applies to every command.
/// - CONNECT, CONNECTED and STOMP headers are never unescaped (see `STOMPCommand.escapesHeaders`).
/// - The first line must be a command within `STOMPCommand.maxLength` bytes (plus EOL); anything longer is
///   reported as `.unknownCommand` as soon as those bytes are in, so garbage (or HTTP) fails fast.
/// - When a frame breaks more than one limit, the error is the one whose byte comes first in the stream, so
///   the result never depends on how the bytes were split across reads.
/// - The body is a slice of the input buffer, not a copy; a caller that keeps bodies for long after reading
///   should copy them so a small body does not pin a large receive buffer.
public struct STOMPFrameDecoder: Sendable {
    /// Decides escaping; the handler switches it after CONNECT/CONNECTED (both are unescaped anyway).
    public var version: STOMPVersion
    public var limits: STOMPDecoderLimits
    private var progress: Progress?

    public init(version: STOMPVersion = .v1_0, limits: STOMPDecoderLimits = .init()) {
        self.version = version
        self.limits = limits
    }

    /// Forgets a partly read frame, for a caller that replaced its buffer.
    public mutating func reset() {
        progress = nil
    }

    /// The next frame or heart-beat at the front of `buffer`, consuming its bytes; nil when more bytes are
    /// needed (nothing consumed). On error nothing is consumed either: the connection cannot continue.
    public mutating func next(_ buffer: inout ByteBuffer) throws(STOMPDecodeError) -> STOMPDecoderEvent? {
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<Outcome, STOMPDecodeError> in
            do throws(STOMPDecodeError) {
                return .success(try self.scan(bytes))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure(let error):
            progress = nil
            throw error
        case .success(.needMore):
            return nil
        case .success(.heartbeat(let length)):
            buffer.moveReaderIndex(forwardBy: length)
            return .heartbeat
        case .success(.frame(let command, let headers, let bodyStart, let bodyLength, let total)):
            let body = buffer.getSlice(at: buffer.readerIndex + bodyStart, length: bodyLength)!
            buffer.moveReaderIndex(forwardBy: total)
            return .frame(STOMPFrame(command, headers: headers, body: body))
        }
    }

    // MARK: Scanning

    /// A frame read so far. Offsets count from the reader index.
    private struct Progress: Sendable {
        var command: STOMPCommand
        var headers: [STOMPHeader] = []
        /// Start of the next header line, or of the body once `contentLength` is decided.
        var parsed: Int
        /// How far the search for the LF (or NUL) ending the current line (or body) has got.
        var searched: Int
        var inBody = false
        var contentLength: Int?
    }

    private enum Outcome {
        case needMore
        case heartbeat(length: Int)
        case frame(STOMPCommand, [STOMPHeader], bodyStart: Int, bodyLength: Int, total: Int)
    }

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    private mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(STOMPDecodeError) -> Outcome {
        let n = bytes.count
        // Taken out of `self` so its header array is uniquely referenced while it grows.
        var p: Progress
        if let saved = progress, saved.searched <= n {
            p = saved
            progress = nil
        } else {
            progress = nil
            guard n > 0 else { return .needMore }
            if bytes[0] == Self.lf { return .heartbeat(length: 1) }
            if bytes[0] == Self.cr {
                guard n > 1 else { return .needMore }
                if bytes[1] == Self.lf { return .heartbeat(length: 2) }
            }
            guard let command = try scanCommand(bytes) else { return .needMore }
            p = command
        }

        let frameCap = limits.maxFrameSize
        while !p.inBody {
            // The LF must come within maxHeaderLineLength bytes plus an optional CR, and within the frame.
            let lineCap = p.parsed + limits.maxHeaderLineLength + 2
            guard let lf = Self.find(Self.lf, in: bytes, from: p.searched, to: min(n, lineCap, frameCap)) else {
                if n < min(lineCap, frameCap) {
                    p.searched = n
                    progress = p
                    return .needMore
                }
                throw frameCap <= lineCap ? .frameTooLarge(limit: frameCap) : .headerTooLong(limit: limits.maxHeaderLineLength)
            }
            var end = lf
            if end > p.parsed && bytes[end - 1] == Self.cr { end -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[p.parsed..<end])
            if line.count > limits.maxHeaderLineLength { throw .headerTooLong(limit: limits.maxHeaderLineLength) }
            p.parsed = lf + 1
            p.searched = lf + 1
            if line.isEmpty {
                p.inBody = true
                p.contentLength = try Self.contentLength(in: p.headers)
            } else {
                if p.headers.count >= limits.maxHeaders { throw .tooManyHeaders(limit: limits.maxHeaders) }
                p.headers.append(try parseHeader(line, mode: STOMPHeaderCoding.Mode(version: version, command: p.command)))
            }
        }

        if let length = p.contentLength {
            if length > limits.maxBodySize { throw .bodyTooLarge(limit: limits.maxBodySize) }
            let total = p.parsed + length + 1
            if total > frameCap { throw .frameTooLarge(limit: frameCap) }
            guard n >= total else {
                progress = p
                return .needMore
            }
            guard bytes[total - 1] == 0 else { throw .missingNulAfterBody }
            return .frame(p.command, p.headers, bodyStart: p.parsed, bodyLength: length, total: total)
        }

        // No content-length: the body ends at the first NUL, which must come within both limits.
        let bodyCap = p.parsed + limits.maxBodySize + 1
        guard let nul = Self.find(0, in: bytes, from: p.searched, to: min(n, bodyCap, frameCap)) else {
            if n < min(bodyCap, frameCap) {
                p.searched = n
                progress = p
                return .needMore
            }
            throw frameCap <= bodyCap ? .frameTooLarge(limit: frameCap) : .bodyTooLarge(limit: limits.maxBodySize)
        }
        return .frame(p.command, p.headers, bodyStart: p.parsed, bodyLength: nul - p.parsed, total: nul + 1)
    }

    /// Reads the command line; nil when its end is not in yet.
    private func scanCommand(_ bytes: UnsafeRawBufferPointer) throws(STOMPDecodeError) -> Progress? {
        let n = bytes.count
        let lineCap = STOMPCommand.maxLength + 2
        let frameCap = limits.maxFrameSize
        guard let lf = Self.find(Self.lf, in: bytes, from: 0, to: min(n, lineCap, frameCap)) else {
            if n < min(lineCap, frameCap) { return nil }
            if frameCap < lineCap { throw .frameTooLarge(limit: frameCap) }
            throw .unknownCommand(STOMPDecodeError.quote(UnsafeRawBufferPointer(rebasing: bytes[0..<lineCap])))
        }
        var end = lf
        if end > 0 && bytes[end - 1] == Self.cr { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        guard let command = STOMPCommand(bytes: line) else { throw .unknownCommand(STOMPDecodeError.quote(line)) }
        return Progress(command: command, parsed: lf + 1, searched: lf + 1)
    }

    private func parseHeader(_ line: UnsafeRawBufferPointer, mode: STOMPHeaderCoding.Mode) throws(STOMPDecodeError) -> STOMPHeader {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .malformedHeader(STOMPDecodeError.quote(line))
        }
        guard colon > 0 else { throw .emptyHeaderName }
        let name = try STOMPHeaderCoding.decode(UnsafeRawBufferPointer(rebasing: line[..<colon]), mode: mode)
        let value = try STOMPHeaderCoding.decode(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]), mode: mode)
        return STOMPHeader(name, value)
    }

    private static func contentLength(in headers: [STOMPHeader]) throws(STOMPDecodeError) -> Int? {
        guard let raw = headers.first(where: { $0.name == "content-length" })?.value else { return nil }
        let digits = Substring(raw).trimmingSpaces().utf8
        // 18 digits always fit an Int; longer is far beyond any body limit anyway.
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidContentLength(String(decoding: raw.utf8.prefix(STOMPDecodeError.maxQuotedBytes), as: UTF8.self))
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// Index of the first `byte` in `bytes[from..<to]`.
    @inline(__always)
    private static func find(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }
}
