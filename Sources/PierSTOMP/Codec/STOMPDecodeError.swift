/// Why bytes could not become a frame. Every case is fatal for the connection: the broker answers with an
/// ERROR frame whose `message` header is `description`, then closes (spec 1.2 §ERROR).
///
/// Text carried by a case is what was on the wire, cut to `STOMPDecodeError.maxQuotedBytes` bytes so that a
/// megabyte of garbage does not become a megabyte ERROR header; `description` renders control bytes visibly
/// so the text is safe in a 1.0 header, which cannot escape a line break.
public enum STOMPDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame grew past `limits.maxFrameSize` bytes (command line through NUL) before it ended.
    case frameTooLarge(limit: Int)
    /// The body, announced by `content-length` or read up to the NUL, is longer than `limits.maxBodySize`.
    case bodyTooLarge(limit: Int)
    /// More than `limits.maxHeaders` header lines.
    case tooManyHeaders(limit: Int)
    /// A header line longer than `limits.maxHeaderLineLength` bytes, not counting its EOL.
    case headerTooLong(limit: Int)
    /// The first line is not one of the 15 commands (they are case-sensitive).
    case unknownCommand(String)
    /// A header line without a `:`.
    case malformedHeader(String)
    /// A header line starting with `:`; the grammar wants at least one octet of name.
    case emptyHeaderName
    /// A backslash followed by anything but the version's escapes, or ending a name or value (1.1 and 1.2).
    case invalidEscape(String)
    /// A `content-length` that is not a non-negative decimal integer.
    case invalidContentLength(String)
    /// The `content-length` bytes were not followed by the NUL that ends every frame.
    case missingNulAfterBody
    /// A header name or value that is not UTF-8 (spec: headers are UTF-8 text).
    case invalidUTF8
    /// A `heart-beat` header that is not two non-negative integers separated by a comma.
    case invalidHeartbeat(String)

    /// How much offending text a case quotes.
    public static let maxQuotedBytes = 64

    public var description: String {
        switch self {
        case .frameTooLarge(let limit): return "frame exceeds the maximum size of \(limit) bytes"
        case .bodyTooLarge(let limit): return "frame body exceeds the maximum size of \(limit) bytes"
        case .tooManyHeaders(let limit): return "frame has more than \(limit) headers"
        case .headerTooLong(let limit): return "header line exceeds the maximum length of \(limit) bytes"
        case .unknownCommand(let c): return "unknown command '\(Self.printable(c))'"
        case .malformedHeader(let line): return "malformed header line '\(Self.printable(line))': no ':' separator"
        case .emptyHeaderName: return "malformed header line: empty header name"
        case .invalidEscape(let seq): return "invalid escape sequence '\(Self.printable(seq))' in header"
        case .invalidContentLength(let v): return "invalid content-length '\(Self.printable(v))'"
        case .missingNulAfterBody: return "frame body is not followed by a NUL octet as its content-length says"
        case .invalidUTF8: return "header is not valid UTF-8"
        case .invalidHeartbeat(let v): return "invalid heart-beat '\(Self.printable(v))'"
        }
    }

    /// The quoted text from raw bytes: cut, then decoded with replacement characters (never fails).
    static func quote(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes.prefix(maxQuotedBytes), as: UTF8.self)
    }

    /// Control characters, backslash included for unambiguity, shown as C-style escapes.
    static func printable(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\0"..<" ", "\u{7F}":
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
