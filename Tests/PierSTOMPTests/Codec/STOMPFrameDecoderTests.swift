import NIOCore
import XCTest
@testable import PierSTOMP

/// Decoding wire text written out by hand, independently of the encoder.
final class STOMPFrameDecoderTests: XCTestCase {
    private typealias S = STOMPCodecTestSupport

    func testSimpleSend() {
        let frames = S.frames(S.bytes("SEND\ndestination:/queue/a\nreceipt:r1\n\nhello\0"), version: .v1_2)
        XCTAssertEqual(frames, [STOMPFrame(.send, ["destination": "/queue/a", "receipt": "r1"], body: ByteBuffer(string: "hello"))])
    }

    func testEveryCommandIsRecognised() {
        for command in STOMPCommand.allCases {
            let frames = S.frames(S.bytes("\(command.rawValue)\n\n\0"), version: .v1_2)
            XCTAssertEqual(frames, [STOMPFrame(command)])
        }
    }

    func testIncompleteInputConsumesNothing() {
        let wire = S.bytes("SEND\ndestination:/queue/a\ncontent-length:4\n\nab\0c\0")
        for cut in 0..<wire.count {
            var decoder = STOMPFrameDecoder(version: .v1_2)
            var buffer = ByteBuffer(bytes: wire[0..<cut])
            XCTAssertNil(try decoder.next(&buffer), "cut at \(cut)")
            XCTAssertEqual(buffer.readableBytes, cut, "cut at \(cut)")
        }
    }

    func testSplitAtEveryByteBoundary() throws {
        let wire = S.bytes("MESSAGE\r\nsubscription:0\r\nmessage-id:m\\c1\r\ncontent-length:4\r\n\r\na\0\nb\0\r\n"
            + "RECEIPT\nreceipt-id:x\n\n\0\n")
        let reference = S.decode(wire, version: .v1_2)
        XCTAssertNil(reference.error)
        XCTAssertEqual(reference.events.count, 4)
        for i in 0...wire.count {
            XCTAssertEqual(S.decode(wire, version: .v1_2, split: .at(i)), reference, "split at \(i)")
        }
        for seed in UInt64(0)..<50 {
            XCTAssertEqual(S.decode(wire, version: .v1_2, split: .random(seed: seed)), reference, "seed \(seed)")
        }
    }

    func testHeartbeatsBetweenFrames() {
        let out = S.decodeEverySplit(S.bytes("\n\r\nSEND\n\n\0\n\n\r\nACK\nid:1\n\n\0\r\n"), version: .v1_2)
        XCTAssertNil(out.error)
        XCTAssertEqual(out.events, [.heartbeat, .heartbeat, .frame(STOMPFrame(.send)), .heartbeat, .heartbeat, .heartbeat,
                                    .frame(STOMPFrame(.ack, ["id": "1"])), .heartbeat])
    }

    func testLoneCRWaitsForItsLF() throws {
        var decoder = STOMPFrameDecoder(version: .v1_2)
        var buffer = ByteBuffer(string: "\r")
        XCTAssertNil(try decoder.next(&buffer))
        buffer.writeString("\n")
        XCTAssertEqual(try decoder.next(&buffer), .heartbeat)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testCRLFLinesInEveryVersion() {
        for version in STOMPVersion.allCases {
            let frames = S.frames(S.bytes("SUBSCRIBE\r\nid:0\r\ndestination:/topic/t\r\nack:auto\r\n\r\n\0"), version: version)
            XCTAssertEqual(frames, [STOMPFrame(.subscribe, ["id": "0", "destination": "/topic/t", "ack": "auto"])])
        }
    }

    func testMixedLineEndingsInOneFrame() {
        let frames = S.frames(S.bytes("SEND\r\na:1\nb:2\r\n\n\0"), version: .v1_1)
        XCTAssertEqual(frames, [STOMPFrame(.send, ["a": "1", "b": "2"])])
    }

    func testRepeatedHeadersAreKeptAndTheFirstWins() {
        let frames = S.frames(S.bytes("MESSAGE\nfoo:World\nfoo:Hello\ndestination:/queue/a\n\n\0"), version: .v1_2)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames[0].header("foo"), "World")
        XCTAssertEqual(frames[0].headers(named: "foo"), ["World", "Hello"])
        XCTAssertEqual(frames[0].headers.map(\.name), ["foo", "foo", "destination"])
    }

    func testFirstContentLengthWins() {
        let frames = S.frames(S.bytes("SEND\ncontent-length:3\ncontent-length:1\n\na\0b\0"), version: .v1_2)
        XCTAssertEqual(frames.first?.body, S.body([0x61, 0, 0x62]))
    }

    /// stomp.py #447, stomp-php #53: a body holding NULs must come through whole when content-length says so.
    func testContentLengthBodyWithNuls() {
        let body: [UInt8] = [0, 1, 0, 0, 0xFF, 0, 0x0A, 0]
        for version in STOMPVersion.allCases {
            let wire = S.bytes("SEND\ndestination:/queue/bin\ncontent-length:8\n\n") + body + [0] + S.bytes("\n")
            let out = S.decodeEverySplit(wire, version: version)
            XCTAssertNil(out.error)
            XCTAssertEqual(out.events, [.frame(STOMPFrame(.send, ["destination": "/queue/bin", "content-length": "8"],
                                                          body: S.body(body))), .heartbeat])
        }
    }

    func testWithoutContentLengthTheBodyEndsAtTheFirstNul() {
        let out = S.decodeEverySplit(S.bytes("SEND\n\nab\0cd\0"), version: .v1_2)
        // "cd" is then read as a command line that never ends: incomplete, not yet an error.
        XCTAssertEqual(out.events, [.frame(STOMPFrame(.send, body: ByteBuffer(string: "ab")))])
        XCTAssertEqual(out.error, nil)
        XCTAssertEqual(out.leftover, 3)
    }

    func testContentLengthZeroAndPaddedValues() {
        let frames = S.frames(S.bytes("SEND\ncontent-length:0\n\n\0SEND\ncontent-length: 2 \n\nab\0"), version: .v1_2)
        XCTAssertEqual(frames.map(\.body), [ByteBuffer(), ByteBuffer(string: "ab")])
    }

    func testUnescapingIn11And12() {
        let wire = S.bytes("MESSAGE\nk\\cey:a\\\\b\\nc\\cd\n\n\0")
        for version in [STOMPVersion.v1_1, .v1_2] {
            XCTAssertEqual(S.frames(wire, version: version).first?.headers, [STOMPHeader("k:ey", "a\\b\nc:d")])
        }
        XCTAssertEqual(S.frames(S.bytes("MESSAGE\nk:a\\rb\n\n\0"), version: .v1_2).first?.header("k"), "a\rb")
    }

    /// stomp-php #35: 1.0 has no escapes, so backslashes are plain text and must not be unescaped.
    func testNoUnescapingIn10() {
        let frames = S.frames(S.bytes("SEND\ndestination:/queue/a\\nb\npath:C:\\temp\\new\n\n\0"), version: .v1_0)
        XCTAssertEqual(frames.first?.headers, [STOMPHeader("destination", "/queue/a\\nb"), STOMPHeader("path", "C:\\temp\\new")])
    }

    func testConnectAndConnectedAreNeverUnescaped() {
        for version in STOMPVersion.allCases {
            for command in [STOMPCommand.connect, .stomp, .connected] {
                let frames = S.frames(S.bytes("\(command)\nlogin:dom\\user\npasscode:a\\tb\\\n\n\0"), version: version)
                XCTAssertEqual(frames.first?.headers, [STOMPHeader("login", "dom\\user"), STOMPHeader("passcode", "a\\tb\\")])
            }
        }
    }

    func testRawColonsBelongToTheValue() {
        for version in STOMPVersion.allCases {
            let frames = S.frames(S.bytes("SEND\nreply-to:urn:x:y\nempty:\n\n\0"), version: version)
            XCTAssertEqual(frames.first?.headers, [STOMPHeader("reply-to", "urn:x:y"), STOMPHeader("empty", "")])
        }
    }

    func testHeadersAreNotTrimmed() {
        let frames = S.frames(S.bytes("SEND\ndestination: /queue/a \n x :y\n\n\0"), version: .v1_0)
        XCTAssertEqual(frames.first?.headers, [STOMPHeader("destination", " /queue/a "), STOMPHeader(" x ", "y")])
    }

    func testUTF8Headers() {
        let frames = S.frames(S.bytes("SEND\nключ:значение ✓\n\n\0"), version: .v1_2)
        XCTAssertEqual(frames.first?.header("ключ"), "значение ✓")
    }

    func testLimitsAreInclusive() {
        // Frame of exactly 32 bytes: "SEND\n\n" + 25 bytes + NUL.
        let limits = STOMPDecoderLimits(maxFrameSize: 32, maxHeaders: 2, maxHeaderLineLength: 8, maxBodySize: 25)
        let frame = S.decodeEverySplit(S.bytes("SEND\n\n" + String(repeating: "x", count: 25) + "\0"), version: .v1_2, limits: limits)
        XCTAssertNil(frame.error)
        XCTAssertEqual(frame.events.count, 1)
        // Two header lines of exactly 8 bytes, with LF and with CR LF.
        let headers = S.decodeEverySplit(S.bytes("SEND\nabcd:123\r\nefgh:456\n\n\0"), version: .v1_2, limits: limits)
        XCTAssertNil(headers.error)
        XCTAssertEqual(headers.events.count, 1)
        // content-length equal to the body limit.
        let counted = STOMPDecoderLimits(maxFrameSize: 64, maxHeaders: 2, maxHeaderLineLength: 20, maxBodySize: 4)
        let cl = S.decodeEverySplit(S.bytes("SEND\ncontent-length:4\n\nabcd\0"), version: .v1_2, limits: counted)
        XCTAssertNil(cl.error)
        XCTAssertEqual(cl.events.count, 1)
    }

    func testDefaultLimits() {
        let limits = STOMPDecoderLimits()
        XCTAssertEqual(limits.maxFrameSize, 10 * 1024 * 1024)
        XCTAssertEqual(limits.maxHeaders, 1000)
        XCTAssertEqual(limits.maxHeaderLineLength, 10 * 1024)
        XCTAssertEqual(limits.maxBodySize, 10 * 1024 * 1024)
    }

    func testVersionCanChangeBetweenFrames() throws {
        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer(string: "STOMP\naccept-version:1.2\nx:a\\c\n\n\0SEND\nx:a\\c\n\n\0")
        guard case .frame(let connect) = try decoder.next(&buffer) else { return XCTFail("no frame") }
        XCTAssertEqual(connect.header("x"), "a\\c")
        decoder.version = STOMPVersion.negotiate(acceptVersion: connect.header("accept-version"))!
        guard case .frame(let send) = try decoder.next(&buffer) else { return XCTFail("no frame") }
        XCTAssertEqual(send.header("x"), "a:")
    }

    /// A large body fed a byte at a time must not be rescanned from the start on every call.
    func testTrickledLargeFrameStaysLinear() throws {
        let body = [UInt8](repeating: 0x61, count: 200_000)
        let wire = S.bytes("SEND\ndestination:/queue/a\n\n") + body + [0]
        var decoder = STOMPFrameDecoder(version: .v1_2)
        var buffer = ByteBuffer()
        var frames = 0
        for b in wire {
            buffer.writeInteger(b)
            if case .frame = try decoder.next(&buffer) { frames += 1 }
        }
        XCTAssertEqual(frames, 1)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testResetForgetsProgress() throws {
        var decoder = STOMPFrameDecoder(version: .v1_2)
        var first = ByteBuffer(string: "SEND\nlong-header:")
        XCTAssertNil(try decoder.next(&first))
        decoder.reset()
        var other = ByteBuffer(string: "ACK\nid:1\n\n\0")
        XCTAssertEqual(try decoder.next(&other), .frame(STOMPFrame(.ack, ["id": "1"])))
    }

    func testBodyIsTheFramesBytes() throws {
        var decoder = STOMPFrameDecoder(version: .v1_2)
        var buffer = ByteBuffer(string: "SEND\n\nxyz\0")
        guard case .frame(let frame) = try decoder.next(&buffer) else { return XCTFail("no frame") }
        XCTAssertEqual(frame.body.readableBytes, 3)
        XCTAssertEqual(frame.body.getString(at: frame.body.readerIndex, length: 3), "xyz")
    }
}
