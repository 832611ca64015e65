import NIOCore
import XCTest
@testable import PierSTOMP

/// Exact bytes written, and round trips (encode, then decode under every split) for every command and version.
final class STOMPFrameEncoderTests: XCTestCase {
    private typealias S = STOMPCodecTestSupport

    private func text(_ frame: STOMPFrame, _ version: STOMPVersion) -> String {
        String(decoding: S.encode(frame, version), as: UTF8.self)
    }

    func testExactBytes() {
        XCTAssertEqual(text(STOMPFrame(.receipt, ["receipt-id": "77"]), .v1_2), "RECEIPT\nreceipt-id:77\n\n\0")
        XCTAssertEqual(text(STOMPFrame(.disconnect), .v1_0), "DISCONNECT\n\n\0")
        XCTAssertEqual(text(STOMPFrame(.send, ["destination": "/queue/a"], body: ByteBuffer(string: "hi")), .v1_1),
                       "SEND\ndestination:/queue/a\ncontent-length:2\n\nhi\0")
    }

    func testHeartbeat() {
        var b = ByteBuffer()
        STOMPFrameEncoder.heartbeat(into: &b)
        XCTAssertEqual(Array(b.readableBytesView), [0x0A])
    }

    func testEscapingPerVersion() {
        let frame = STOMPFrame(.message, ["a:b": "x\ny\r\\z:"])
        XCTAssertEqual(text(frame, .v1_2), "MESSAGE\na\\cb:x\\ny\\r\\\\z\\c\n\n\0")
        // 1.1 has no \r escape: CR is written as it is.
        XCTAssertEqual(text(frame, .v1_1), "MESSAGE\na\\cb:x\\ny\r\\\\z\\c\n\n\0")
        // 1.0 cannot carry a colon in a name: the header is dropped rather than corrupting the frame.
        XCTAssertEqual(text(frame, .v1_0), "MESSAGE\n\n\0")
    }

    /// stomp-php #35: nothing is escaped in 1.0, so backslashes and colons in values go out as they are.
    func testNoEscapingIn10() {
        let frame = STOMPFrame(.message, ["destination": "/queue/a\\nb", "url": "http://x:1/"])
        XCTAssertEqual(text(frame, .v1_0), "MESSAGE\ndestination:/queue/a\\nb\nurl:http://x:1/\n\n\0")
    }

    func testLineBreaksInRawValuesBecomeSpaces() {
        let frame = STOMPFrame(.error, ["message": "line one\nline two\r\nthree"])
        XCTAssertEqual(text(frame, .v1_0), "ERROR\nmessage:line one line two  three\n\n\0")
        XCTAssertEqual(text(STOMPFrame(.connected, ["server": "a\nb"]), .v1_2), "CONNECTED\nserver:a b\n\n\0")
    }

    func testConnectAndConnectedAreNeverEscaped() {
        for version in STOMPVersion.allCases {
            XCTAssertEqual(text(STOMPFrame(.connect, ["passcode": "a\\b:c"]), version), "CONNECT\npasscode:a\\b:c\n\n\0")
            XCTAssertEqual(text(STOMPFrame(.stomp, ["login": "d\\u"]), version), "STOMP\nlogin:d\\u\n\n\0")
            XCTAssertEqual(text(STOMPFrame(.connected, ["session": "s:1"]), version), "CONNECTED\nsession:s:1\n\n\0")
        }
    }

    func testEncoderOwnsContentLength() {
        // A stale length is replaced by the real one, written after the other headers.
        let stale = STOMPFrame(.message, ["content-length": "1", "destination": "/queue/a"], body: ByteBuffer(string: "abc"))
        XCTAssertEqual(text(stale, .v1_2), "MESSAGE\ndestination:/queue/a\ncontent-length:3\n\nabc\0")
        // No body, no length.
        XCTAssertEqual(text(STOMPFrame(.send, ["content-length": "5"]), .v1_2), "SEND\n\n\0")
    }

    func testEstimatedSizeCoversUnescapedFrames() {
        let frame = STOMPFrame(.message, ["destination": "/queue/a", "message-id": "1"], body: ByteBuffer(string: "body"))
        XCTAssertGreaterThanOrEqual(STOMPFrameEncoder.estimatedSize(frame), S.encode(frame, .v1_2).count)
    }

    // MARK: Round trips

    /// Headers exercising every escape (1.1/1.2 escaped commands), or only what raw headers can hold.
    private func headers(for command: STOMPCommand, _ version: STOMPVersion) -> [STOMPHeader] {
        var h = [STOMPHeader("destination", "/queue/a"), STOMPHeader("receipt", "r-1"), STOMPHeader("dup", "first"),
                 STOMPHeader("dup", "second"), STOMPHeader("empty", ""), STOMPHeader("uni", "ключ ✓")]
        if version == .v1_0 || !command.escapesHeaders {
            // Raw: colons in values and backslashes anywhere are fine; line breaks and colons in names are not.
            h += [STOMPHeader("url", "tcp://h:61613"), STOMPHeader("path\\x", "C:\\new\\table"), STOMPHeader("c", "\\c\\n")]
        } else {
            h += [STOMPHeader("k:ey", "v:a:l"), STOMPHeader("multi\nline", "one\ntwo\n"), STOMPHeader("back\\slash", "\\\\n\\"),
                  STOMPHeader("mid", "a\rb")]
            if version == .v1_2 { h += [STOMPHeader("cr\r", "\rx\r"), STOMPHeader("crlf", "\r\n")] }
        }
        return h
    }

    func testRoundTripEveryCommandInEveryVersion() {
        let binary = S.body([0, 1, 2, 0, 0x0A, 0x0D, 0x5C, 0x3A, 0xFF, 0])
        for version in STOMPVersion.allCases {
            for command in STOMPCommand.allCases {
                let body = command.mayHaveBody ? binary : ByteBuffer()
                let frame = STOMPFrame(command, headers: headers(for: command, version), body: body)
                // Followed by a second frame and heart-beats, so frame boundaries are tested too.
                let wire = S.encode(frame, version) + [0x0A] + S.encode(STOMPFrame(.receipt, ["receipt-id": "z"]), version)
                var expected = frame
                if body.readableBytes > 0 { expected.headers.append(STOMPHeader("content-length", "\(body.readableBytes)")) }
                let out = S.decodeEverySplit(wire, version: version)
                XCTAssertNil(out.error, "\(command) \(version)")
                XCTAssertEqual(out.leftover, 0)
                XCTAssertEqual(out.events, [.frame(expected), .heartbeat, .frame(STOMPFrame(.receipt, ["receipt-id": "z"]))],
                               "\(command) \(version)")
            }
        }
    }

    /// stomp.py #447: a NUL in the body of every frame kind that may carry one, in every version.
    func testBodiesOfOnlyNulsRoundTrip() {
        for version in STOMPVersion.allCases {
            for command in STOMPCommand.allCases where command.mayHaveBody {
                let frame = STOMPFrame(command, headers: [STOMPHeader("destination", "/topic/t")], body: S.body([0, 0, 0]))
                let decoded = S.frames(S.encode(frame, version), version: version)
                XCTAssertEqual(decoded.first?.body, S.body([0, 0, 0]), "\(command) \(version)")
            }
        }
    }

    func testRoundTripLargeBody() {
        var body = ByteBuffer()
        for i in 0..<100_000 { body.writeInteger(UInt8(truncatingIfNeeded: i)) }
        let frame = STOMPFrame(.message, headers: [STOMPHeader("message-id", "big")], body: body)
        var wire = ByteBuffer()
        STOMPFrameEncoder.encode(frame, version: .v1_2, into: &wire)
        var decoder = STOMPFrameDecoder(version: .v1_2)
        guard case .frame(let back) = try? decoder.next(&wire) else { return XCTFail("no frame") }
        XCTAssertEqual(back.body, body)
    }
}
