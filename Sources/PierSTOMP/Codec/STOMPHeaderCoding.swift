import NIOCore

/// Header text on the wire ⇄ header text in frames: the escaping rules of spec 1.1/1.2 §Value Encoding.
///
/// 1.0 has no escapes, so a 1.0 header cannot hold a line break, and a name cannot hold a colon. 1.1 escapes
/// `\` `LF` and `:`; 1.2 adds `CR`. CONNECT, CONNECTED and STOMP are never escaped in any version.
enum STOMPHeaderCoding {
    private static let backslash = UInt8(ascii: "\\")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")

    enum Mode {
        /// 1.0, and CONNECT/CONNECTED/STOMP in every version: bytes are taken as they are.
        case raw
        /// 1.1: `\\` `\n` `\c`.
        case escaped
        /// 1.2: 1.1 plus `\r`.
        case escapedWithCR

        init(version: STOMPVersion, command: STOMPCommand) {
            if !version.escapesHeaders || !command.escapesHeaders {
                self = .raw
            } else {
                self = version.escapesCarriageReturn ? .escapedWithCR : .escaped
            }
        }
    }

    // MARK: Decoding

    /// Unescapes (unless `.raw`) and validates UTF-8; escapes are checked first so the error names the escape.
    static func decode(_ raw: UnsafeRawBufferPointer, mode: Mode) throws(STOMPDecodeError) -> String {
        if mode == .raw || !raw.contains(backslash) {
            guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            guard b == backslash else {
                out.append(b)
                i += 1
                continue
            }
            // A backslash ending the text escapes nothing: the spec's "undefined escape" covers it.
            guard i + 1 < raw.count else { throw .invalidEscape("\\") }
            switch raw[i + 1] {
            case backslash: out.append(backslash)
            case UInt8(ascii: "n"): out.append(lf)
            case UInt8(ascii: "c"): out.append(colon)
            case UInt8(ascii: "r") where mode == .escapedWithCR: out.append(cr)
            default:
                // Quote the whole following scalar, not half of a multi-byte one.
                var end = i + 2
                while end < raw.count, raw[end] & 0xC0 == 0x80, end < i + 5 { end += 1 }
                throw .invalidEscape(STOMPDecodeError.quote(UnsafeRawBufferPointer(rebasing: raw[i..<end])))
            }
            i += 2
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUTF8 }
        return s
    }

    // MARK: Encoding

    /// Whether `name` can be written at all in `mode`. Raw mode has no way to write a colon in a name (the
    /// reader splits at the first one) or a line break anywhere; such a header is dropped rather than letting
    /// it break the frame, which is what ActiveMQ does to 1.0 subscribers.
    static func canWrite(name: String, mode: Mode) -> Bool {
        guard mode == .raw else { return true }
        return !name.utf8.contains(where: { $0 == colon || $0 == lf || $0 == cr })
    }

    /// Writes `text` as a header name or value. In raw mode line breaks in a value become spaces: a
    /// multi-line ERROR `message` stays readable for a 1.0 client instead of ending the header early.
    static func write(_ text: String, mode: Mode, into buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        switch mode {
        case .raw:
            guard utf8.contains(where: { $0 == lf || $0 == cr }) else {
                buffer.writeString(text)
                return
            }
            for b in utf8 { buffer.writeInteger(b == lf || b == cr ? UInt8(ascii: " ") : b) }
        case .escaped, .escapedWithCR:
            let escapeCR = mode == .escapedWithCR
            guard utf8.contains(where: { $0 == backslash || $0 == lf || $0 == colon || ($0 == cr && escapeCR) }) else {
                buffer.writeString(text)
                return
            }
            for b in utf8 {
                switch b {
                case backslash: buffer.writeStaticString("\\\\")
                case lf: buffer.writeStaticString("\\n")
                case colon: buffer.writeStaticString("\\c")
                case cr where escapeCR: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(b)
                }
            }
        }
    }
}
