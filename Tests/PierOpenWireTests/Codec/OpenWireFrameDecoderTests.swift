import NIOCore
import XCTest
@testable import PierOpenWire

/// Framing: the size prefix, partial input, several frames per read, and the limits.
final class OpenWireFrameDecoderTests: XCTestCase {
    private typealias S = OpenWireCodecTestSupport

    private static var stream: [UInt8] {
        OpenWireSamples.allCommands.flatMap { S.frame($0) }
    }

    /// Fed in any chunks, the stream gives the same commands, and nothing is consumed before a frame is whole.
    func testAnySplitGivesTheSameCommands() throws {
        let bytes = Self.stream
        var rng = SplitMix64(seed: 7)
        for split in 0..<4 {
            var decoder = OpenWireFrameDecoder(options: S.negotiated)
            var buffer = ByteBuffer()
            var commands: [OpenWireCommand] = []
            var offset = 0
            while offset < bytes.count {
                let size = split == 0 ? 1 : split == 1 ? bytes.count : Int(rng.next() % 97) + 1
                let end = min(bytes.count, offset + size)
                buffer.writeBytes(bytes[offset..<end])
                offset = end
                while true {
                    let before = buffer.readableBytes
                    guard let command = try decoder.next(&buffer) else {
                        XCTAssertEqual(buffer.readableBytes, before, "nil consumed nothing")
                        break
                    }
                    commands.append(command)
                }
                if offset % 5 == 0 { buffer.discardReadBytes() }
            }
            XCTAssertEqual(commands, OpenWireSamples.allCommands, "split \(split)")
            XCTAssertEqual(buffer.readableBytes, 0)
        }
    }

    func testIncompleteFramesReturnNil() throws {
        let frame = S.frame(.keepAliveInfo(OpenWireCommandHeader(commandId: 1)))
        var decoder = OpenWireFrameDecoder()
        for cut in 0..<frame.count {
            var buffer = ByteBuffer(bytes: frame[0..<cut])
            XCTAssertNil(try decoder.next(&buffer), "cut at \(cut)")
            XCTAssertEqual(buffer.readableBytes, cut)
        }
        XCTAssertNil(try OpenWireFrameDecoder.bodyLength(of: ByteBuffer(bytes: frame.dropLast()), maxFrameSize: 100))
        XCTAssertEqual(try OpenWireFrameDecoder.bodyLength(of: ByteBuffer(bytes: frame), maxFrameSize: 100), 6)
    }

    func testFrameSizeLimit() throws {
        let frame = S.frame(.keepAliveInfo(OpenWireCommandHeader(commandId: 1)))
        var exact = OpenWireFrameDecoder(options: OpenWireFormatOptions(maxFrameSize: 6))
        var buffer = ByteBuffer(bytes: frame)
        XCTAssertNotNil(try exact.next(&buffer), "a body of exactly the limit is accepted")
        var under = OpenWireFrameDecoder(options: OpenWireFormatOptions(maxFrameSize: 5))
        buffer = ByteBuffer(bytes: frame)
        XCTAssertThrowsError(try under.next(&buffer)) {
            XCTAssertEqual(($0 as? OpenWireDecodeError)?.reason, .frameTooLarge(size: 6, limit: 5))
        }
        XCTAssertEqual(buffer.readableBytes, frame.count, "an error consumes nothing")
    }

    /// A message body is a slice of the input, not a copy.
    func testContentIsASliceOfTheFrame() throws {
        var message = OpenWireMessage(kind: .bytes)
        message.content = ByteBuffer(bytes: [UInt8](repeating: 7, count: 1000))
        var buffer = ByteBuffer(bytes: S.frame(.message(message)))
        guard case .message(let decoded)? = try OpenWireCommand.decode(from: &buffer) else { return XCTFail() }
        XCTAssertEqual(decoded.content?.readableBytes, 1000)
        XCTAssertEqual(decoded.content?.storageCapacity, buffer.storageCapacity)
    }

    func testDecodeBodyWithoutPrefix() throws {
        var decoder = OpenWireFrameDecoder()
        let body = Array(S.frame(.shutdownInfo(OpenWireCommandHeader(commandId: 4))).dropFirst(4))
        XCTAssertEqual(try decoder.decode(body: ByteBuffer(bytes: body)), .shutdownInfo(OpenWireCommandHeader(commandId: 4)))
    }
}
