import NIOCore
import NIOEmbedded
import NIOWebSocket
import XCTest

@testable import PierBench

/// The ByteBuffer ⇄ WebSocketFrame converter of `bench --websocket`, on an EmbeddedChannel.
final class WebSocketByteStreamHandlerTests: XCTestCase {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: WebSocketByteStreamHandler(seed: 42))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    private func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, data: buffer(bytes))
    }

    private func readBytes(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var all: [UInt8] = []
        while var part = try channel.readInbound(as: ByteBuffer.self) {
            all += part.readBytes(length: part.readableBytes) ?? []
        }
        return all
    }

    private func outboundFrames(_ channel: EmbeddedChannel) throws -> [WebSocketFrame] {
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) { frames.append(frame) }
        return frames
    }

    func testWritesBecomeMaskedFinalBinaryFrames() throws {
        let channel = try makeChannel()
        let packet: [UInt8] = [0x10, 0x0C, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00]
        try channel.writeOutbound(buffer(packet))
        try channel.writeOutbound(buffer([0xC0, 0x00]))
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.count, 2)
        for frame in frames {
            XCTAssertTrue(frame.fin)
            XCTAssertEqual(frame.opcode, .binary)
            XCTAssertNotNil(frame.maskKey, "a client must mask every frame")
        }
        // An outbound frame's data is still plain: WebSocketFrameEncoder applies the mask on the way out.
        XCTAssertEqual(Array(frames[0].data.readableBytesView), packet)
        XCTAssertEqual(Array(frames[1].data.readableBytesView), [0xC0, 0x00])
        XCTAssertNotEqual(frames[0].maskKey, frames[1].maskKey, "each frame gets a fresh key")
    }

    func testBinaryPayloadsPassOnAsBytes() throws {
        let channel = try makeChannel()
        try channel.writeInbound(frame(.binary, [0x20, 0x02, 0x00, 0x00, 0xD0, 0x00]))
        try channel.writeInbound(frame(.binary, []))
        XCTAssertEqual(try readBytes(channel), [0x20, 0x02, 0x00, 0x00, 0xD0, 0x00])
        XCTAssertTrue(channel.isActive)
    }

    func testMaskedInboundFramesAreUnmasked() throws {
        let channel = try makeChannel()
        var masked = buffer([0x20, 0x02, 0x00, 0x00])
        let key: WebSocketMaskingKey = [1, 2, 3, 4]
        masked.webSocketMask(key)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, maskKey: key, data: masked))
        XCTAssertEqual(try readBytes(channel), [0x20, 0x02, 0x00, 0x00])
    }

    func testFragmentedMessageArrivesWholeAndInOrder() throws {
        let channel = try makeChannel()
        // One PUBLISH split over three frames, the split inside the remaining length and the topic.
        let publish: [UInt8] = [0x30, 0x08, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x68, 0x69, 0x21]
        try channel.writeInbound(frame(.binary, Array(publish[0..<1]), fin: false))
        try channel.writeInbound(frame(.continuation, Array(publish[1..<5]), fin: false))
        try channel.writeInbound(frame(.ping, [7]))  // control frames may come between fragments
        try channel.writeInbound(frame(.continuation, Array(publish[5...]), fin: true))
        XCTAssertEqual(try readBytes(channel), publish)
        // After the final fragment a new message may start.
        try channel.writeInbound(frame(.binary, [0xD0, 0x00]))
        XCTAssertEqual(try readBytes(channel), [0xD0, 0x00])
        XCTAssertTrue(channel.isActive)
    }

    func testPingIsAnsweredWithMaskedPongCarryingItsPayload() throws {
        let channel = try makeChannel()
        try channel.writeInbound(frame(.ping, [1, 2, 3]))
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.opcode, .pong)
        XCTAssertNotNil(frames.first?.maskKey)
        XCTAssertEqual(frames.first.map { Array($0.data.readableBytesView) }, [1, 2, 3])
        try channel.writeInbound(frame(.pong, [9]))
        XCTAssertEqual(try outboundFrames(channel).count, 0, "a pong needs no answer")
        XCTAssertEqual(try readBytes(channel), [], "control frames carry no MQTT bytes")
    }

    func testServerCloseIsEchoedOnceAndClosesTheChannel() throws {
        let channel = try makeChannel()
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .goingAway)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.opcode, .connectionClose)
        XCTAssertNotNil(frames.first?.maskKey)
        var echoed = frames.first!.data
        XCTAssertEqual(echoed.readWebSocketErrorCode(), .goingAway)
        XCTAssertFalse(channel.isActive)
    }

    func testClosingSendsNormalClosureFirst() throws {
        let channel = try makeChannel()
        try channel.writeOutbound(buffer([0xE0, 0x00]))  // DISCONNECT
        try channel.close().wait()
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.map(\.opcode), [.binary, .connectionClose])
        var code = frames[1].data
        XCTAssertEqual(code.readWebSocketErrorCode(), .normalClosure)
    }

    func testTextFrameIsRejectedWith1003() throws {
        try assertRejected(frame(.text, Array("hello".utf8)), code: .unacceptableData)
    }

    func testContinuationWithoutStartIsRejectedWith1002() throws {
        try assertRejected(frame(.continuation, [1], fin: true), code: .protocolError)
    }

    func testNewMessageInsideFragmentedOneIsRejectedWith1002() throws {
        let channel = try makeChannel()
        try channel.writeInbound(frame(.binary, [0x30], fin: false))
        XCTAssertThrowsError(try channel.writeInbound(frame(.binary, [0x30])))
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.map(\.opcode), [.connectionClose])
        var code = frames[0].data
        XCTAssertEqual(code.readWebSocketErrorCode(), .protocolError)
        XCTAssertFalse(channel.isActive)
    }

    func testDecoderErrorGetsOneCloseFrame() throws {
        let channel = try makeChannel()
        channel.pipeline.fireErrorCaught(NIOWebSocketError.invalidFrameLength)
        XCTAssertThrowsError(try channel.throwIfErrorCaught())
        try channel.close().wait()
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.map(\.opcode), [.connectionClose], "the close on shutdown must not send a second one")
        var code = frames[0].data
        XCTAssertEqual(code.readWebSocketErrorCode(), .messageTooLarge)
    }

    /// The whole MQTT client over the converter: CONNECT goes out in a binary frame, and a CONNACK split
    /// across fragments makes the connection ready.
    func testBenchClientRunsUnchangedOverTheConverter() throws {
        let channel = EmbeddedChannel()
        let ready = channel.eventLoop.makePromise(of: Void.self)
        let stats = LoopStats()
        let options = BenchClientHandler.Options(clientID: "ws", version: .v3_1_1, keepAlive: 60)
        try channel.pipeline.syncOperations.addHandler(WebSocketByteStreamHandler(seed: 7))
        try channel.pipeline.syncOperations.addHandler(BenchClientHandler(options: options, stats: stats, flow: nil, ready: ready))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let connect = try XCTUnwrap(try channel.readOutbound(as: WebSocketFrame.self))
        XCTAssertEqual(connect.opcode, .binary)
        XCTAssertNotNil(connect.maskKey)
        XCTAssertEqual(connect.data.getInteger(at: connect.data.readerIndex, as: UInt8.self), 0x10)

        var isReady = false
        ready.futureResult.assumeIsolated().whenSuccess { isReady = true }
        try channel.writeInbound(frame(.binary, [0x20, 0x02], fin: false))
        XCTAssertFalse(isReady)
        try channel.writeInbound(frame(.continuation, [0x00, 0x00], fin: true))
        XCTAssertTrue(isReady)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    private func assertRejected(_ bad: WebSocketFrame, code: WebSocketErrorCode,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let channel = try makeChannel()
        XCTAssertThrowsError(try channel.writeInbound(bad), file: file, line: line)
        let frames = try outboundFrames(channel)
        XCTAssertEqual(frames.map(\.opcode), [.connectionClose], file: file, line: line)
        var sent = frames[0].data
        XCTAssertEqual(sent.readWebSocketErrorCode(), code, file: file, line: line)
        XCTAssertFalse(channel.isActive, file: file, line: line)
        XCTAssertEqual(try readBytes(channel), [], file: file, line: line)
    }
}
