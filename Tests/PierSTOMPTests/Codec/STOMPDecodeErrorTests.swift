import NIOCore
import XCTest
@testable import PierSTOMP

/// Malformed input, each case with the exact error it must raise, under every split of the bytes (the
/// decoder must not report a different error because a read ended elsewhere).
final class STOMPDecodeErrorTests: XCTestCase {
    private typealias S = STOMPCodecTestSupport

    private struct Case {
        var name: String
        var version: STOMPVersion
        var input: [UInt8]
        var error: STOMPDecodeError
        var limits = STOMPDecoderLimits()
        /// Events the decoder must deliver before failing (good frames or heart-beats ahead of the bad bytes).
        var before = 0
    }

    private static let small = STOMPDecoderLimits(maxFrameSize: 64, maxHeaders: 2, maxHeaderLineLength: 8, maxBodySize: 16)

    private static func c(_ name: String, _ version: STOMPVersion, _ input: String, _ error: STOMPDecodeError,
                          limits: STOMPDecoderLimits = .init(), before: Int = 0) -> Case {
        Case(name: name, version: version, input: Array(input.utf8), error: error, limits: limits, before: before)
    }

    private static let cases: [Case] = [
        // Commands.
        c("unknown command", .v1_2, "FOO\n\n\0", .unknownCommand("FOO")),
        c("commands are case-sensitive", .v1_1, "send\ndestination:/queue/a\n\n\0", .unknownCommand("send")),
        c("trailing space after command", .v1_2, "SEND \n\n\0", .unknownCommand("SEND ")),
        c("leading space before command", .v1_0, " SEND\n\n\0", .unknownCommand(" SEND")),
        c("command with a suffix", .v1_0, "CONNECTX\n\n\0", .unknownCommand("CONNECTX")),
        c("command too short", .v1_2, "AC\n\n\0", .unknownCommand("AC")),
        c("one byte longer than any command", .v1_2, "UNSUBSCRIBED\n\n\0", .unknownCommand("UNSUBSCRIBED")),
        c("no EOL within a command's length", .v1_2, "UNSUBSCRIBEDXYZ\n\n\0", .unknownCommand("UNSUBSCRIBEDX")),
        c("HTTP request", .v1_0, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", .unknownCommand("GET / HTTP/1.")),
        c("bare CR before command", .v1_2, "\rSEND\n\n\0", .unknownCommand("\rSEND")),
        c("CR CR LF", .v1_2, "\r\r\n", .unknownCommand("\r")),
        c("NUL as a command", .v1_1, "\0\n", .unknownCommand("\0")),
        c("garbage after a good frame", .v1_2, "SEND\ndestination:/queue/a\n\nhi\0FOO\n", .unknownCommand("FOO"), before: 1),
        c("garbage after heart-beats", .v1_1, "\n\r\nBAR\n", .unknownCommand("BAR"), before: 2),
        c("STOMP 1.0 server frame typo", .v1_0, "MESAGE\n\n\0", .unknownCommand("MESAGE")),
        // Header lines.
        c("header without colon", .v1_2, "SEND\ndestination\n\n\0", .malformedHeader("destination")),
        c("header without colon, CRLF", .v1_0, "SEND\r\nfoo bar\r\n\r\n\0", .malformedHeader("foo bar")),
        c("header of a lone CR", .v1_2, "SEND\nk:v\n\r\r\n\0", .malformedHeader("\r")),
        c("header without colon in CONNECT", .v1_0, "CONNECT\nlogin\n\n\0", .malformedHeader("login")),
        c("empty header name", .v1_2, "SEND\n:value\n\n\0", .emptyHeaderName),
        c("empty header name and value", .v1_0, "SEND\n:\n\n\0", .emptyHeaderName),
        // Escapes.
        c("\\t in 1.2", .v1_2, "SEND\nk:a\\tb\n\n\0", .invalidEscape("\\t")),
        c("\\t in 1.1", .v1_1, "SEND\nk:a\\tb\n\n\0", .invalidEscape("\\t")),
        c("\\r is not an escape in 1.1", .v1_1, "SEND\nk:a\\rb\n\n\0", .invalidEscape("\\r")),
        c("backslash ending a value", .v1_2, "SEND\nk:ab\\\n\n\0", .invalidEscape("\\")),
        c("backslash ending a name", .v1_1, "SEND\nk\\:v\n\n\0", .invalidEscape("\\")),
        c("escape of a multi-byte character", .v1_2, "SEND\nk:\\é\n\n\0", .invalidEscape("\\é")),
        c("upper-case escape", .v1_2, "MESSAGE\nk:\\N\n\n\0", .invalidEscape("\\N")),
        c("bad escape in a server frame", .v1_1, "ERROR\nmessage:\\x41\n\n\0", .invalidEscape("\\x")),
        // content-length.
        c("content-length not a number", .v1_2, "SEND\ncontent-length:abc\n\n\0", .invalidContentLength("abc")),
        c("negative content-length", .v1_2, "SEND\ncontent-length:-1\n\n\0", .invalidContentLength("-1")),
        c("content-length with a sign", .v1_1, "SEND\ncontent-length:+5\n\nhello\0", .invalidContentLength("+5")),
        c("empty content-length", .v1_0, "SEND\ncontent-length:\n\n\0", .invalidContentLength("")),
        c("content-length in exponent form", .v1_2, "SEND\ncontent-length:1e3\n\n\0", .invalidContentLength("1e3")),
        c("content-length with inner space", .v1_2, "SEND\ncontent-length:1 2\n\n\0", .invalidContentLength("1 2")),
        c("content-length of 19 digits", .v1_2, "SEND\ncontent-length:1000000000000000000\n\n\0",
          .invalidContentLength("1000000000000000000")),
        c("first content-length wins even when bad", .v1_2, "SEND\ncontent-length:x\ncontent-length:1\n\na\0",
          .invalidContentLength("x")),
        c("content-length escaped in 1.1", .v1_1, "SEND\ncontent-length:\\c5\n\nhello\0", .invalidContentLength(":5")),
        c("body longer than content-length", .v1_2, "SEND\ncontent-length:2\n\nabc\0", .missingNulAfterBody),
        c("content-length cutting a NUL body short (stomp.py #447 reversed)", .v1_2,
          "SEND\ncontent-length:2\n\na\0b\0", .missingNulAfterBody),
        c("content-length then EOL instead of NUL", .v1_0, "MESSAGE\ncontent-length:0\n\n\n", .missingNulAfterBody),
        // Limits (small: frame 64, 2 headers, line 8, body 16).
        c("too many headers", .v1_2, "SEND\na:1\nb:2\nc:3\n\n\0", .tooManyHeaders(limit: 2), limits: small),
        c("header line too long", .v1_2, "SEND\nabcd:1234\n\n\0", .headerTooLong(limit: 8), limits: small),
        c("header line too long with CRLF", .v1_2, "SEND\r\nabcd:1234\r\n\r\n\0", .headerTooLong(limit: 8), limits: small),
        c("header line without end", .v1_2, "SEND\nabcdefghijklmnop", .headerTooLong(limit: 8), limits: small),
        c("body too large without content-length", .v1_2, "SEND\n\n01234567890123456\0", .bodyTooLarge(limit: 16),
          limits: small),
        c("body too large by content-length", .v1_2, "SEND\ncontent-length:17\n\n", .bodyTooLarge(limit: 16),
          limits: STOMPDecoderLimits(maxFrameSize: 64, maxHeaders: 2, maxHeaderLineLength: 20, maxBodySize: 16)),
        c("frame too large by content-length", .v1_2, "SEND\na:1\nb:2\ncontent-length:9\n\n",
          .frameTooLarge(limit: 32), limits: STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 5,
                                                                   maxHeaderLineLength: 20, maxBodySize: 100)),
        c("frame too large in the headers", .v1_2, "SEND\naaaa:1\nbbbb:2\ncccc:3\ndddd:4\neeee:5\n",
          .frameTooLarge(limit: 32), limits: STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 10,
                                                                   maxHeaderLineLength: 20, maxBodySize: 100)),
        c("frame too large in the body", .v1_2, "SEND\n\n" + String(repeating: "x", count: 40),
          .frameTooLarge(limit: 32), limits: STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 10,
                                                                   maxHeaderLineLength: 20, maxBodySize: 100)),
        c("frame exactly one byte too large", .v1_2, "SEND\n\n" + String(repeating: "x", count: 26) + "\0",
          .frameTooLarge(limit: 32), limits: STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 10,
                                                                   maxHeaderLineLength: 20, maxBodySize: 100)),
        c("body limit reached before frame limit", .v1_2, "SEND\n\n" + String(repeating: "x", count: 100),
          .bodyTooLarge(limit: 10), limits: STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 10,
                                                                maxHeaderLineLength: 20, maxBodySize: 10)),
    ]

    func testEveryMalformedInputRaisesItsExactError() {
        XCTAssertGreaterThanOrEqual(Self.cases.count + binaryCases.count, 40)
        for c in Self.cases + binaryCases {
            let out = S.decodeEverySplit(c.input, version: c.version, limits: c.limits)
            XCTAssertEqual(out.error, c.error, c.name)
            XCTAssertEqual(out.events.count, c.before, "events before the error: \(c.name)")
        }
    }

    /// Cases whose input is not valid UTF-8 and so cannot be written as Swift string literals.
    private var binaryCases: [Case] {
        [
            Case(name: "invalid UTF-8 value", version: .v1_2, input: S.bytes("SEND\nk:") + [0xFF] + S.bytes("\n\n\0"),
                 error: .invalidUTF8),
            Case(name: "invalid UTF-8 in 1.0", version: .v1_0, input: S.bytes("SEND\nk:") + [0xFE, 0x41] + S.bytes("\n\n\0"),
                 error: .invalidUTF8),
            Case(name: "invalid UTF-8 name", version: .v1_1, input: S.bytes("SEND\n") + [0xC3] + S.bytes(":v\n\n\0"),
                 error: .invalidUTF8),
            Case(name: "overlong NUL", version: .v1_2, input: S.bytes("SEND\nk:") + [0xC0, 0x80] + S.bytes("\n\n\0"),
                 error: .invalidUTF8),
            Case(name: "UTF-16 surrogate", version: .v1_2, input: S.bytes("SEND\nk:") + [0xED, 0xA0, 0x80] + S.bytes("\n\n\0"),
                 error: .invalidUTF8),
            Case(name: "invalid UTF-8 in CONNECT", version: .v1_2,
                 input: S.bytes("CONNECT\npasscode:") + [0xF8, 0x88, 0x80, 0x80, 0x80] + S.bytes("\n\n\0"), error: .invalidUTF8),
            Case(name: "binary garbage", version: .v1_2, input: Array(0xE0...0xFF),
                 error: .unknownCommand(String(decoding: Array(0xE0...0xEC) as [UInt8], as: UTF8.self))),
            Case(name: "escaped invalid UTF-8", version: .v1_2, input: S.bytes("SEND\nk:\\n") + [0x80] + S.bytes("\n\n\0"),
                 error: .invalidUTF8),
        ]
    }

    func testDescriptionsAreOneLineAndQuoteTheOffence() {
        for c in Self.cases + binaryCases {
            let text = c.error.description
            XCTAssertFalse(text.isEmpty, c.name)
            XCTAssertFalse(text.contains("\n") || text.contains("\r") || text.contains("\0"), "\(c.name): \(text)")
        }
        XCTAssertEqual(STOMPDecodeError.unknownCommand("FOO").description, "unknown command 'FOO'")
        XCTAssertEqual(STOMPDecodeError.unknownCommand("\rSEND").description, "unknown command '\\rSEND'")
        XCTAssertEqual(STOMPDecodeError.invalidEscape("\\t").description, "invalid escape sequence '\\\\t' in header")
        XCTAssertEqual(STOMPDecodeError.frameTooLarge(limit: 10).description, "frame exceeds the maximum size of 10 bytes")
        XCTAssertEqual(STOMPDecodeError.unknownCommand("\0").description, "unknown command '\\x00'")
    }

    func testQuotedTextIsCut() {
        let line = "SEND\n" + String(repeating: "y", count: 500) + "\n\n\0"
        let out = S.decode(S.bytes(line), version: .v1_2)
        XCTAssertEqual(out.error, .malformedHeader(String(repeating: "y", count: STOMPDecodeError.maxQuotedBytes)))
    }

    func testNothingIsConsumedOnError() {
        var decoder = STOMPFrameDecoder(version: .v1_2)
        var buffer = ByteBuffer(string: "FOO\n\n\0")
        XCTAssertThrowsError(try decoder.next(&buffer))
        XCTAssertEqual(buffer.readableBytes, 6)
    }
}
