import NIOCore
import NIOEmbedded
import NIOWebSocket
import XCTest

@testable import PierWebSocket

final class WebSocketStreamHandlerTests: XCTestCase {
    private func channel(max: Int = 1024, text: Bool = false) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketStreamHandler(maxMessageSize: max, textOutput: text))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true) -> WebSocketFrame {
        // As NIO's decoder hands them on: the payload as sent, with the client's mask key.
        let key = WebSocketMaskingKey.random()
        var data = ByteBuffer(string: text)
        data.webSocketMask(key)
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: key, data: data)
    }

    private func closeCode(_ channel: EmbeddedChannel) throws -> WebSocketErrorCode? {
        while let f = try channel.readOutbound(as: WebSocketFrame.self) {
            if f.opcode == .connectionClose {
                var d = f.unmaskedData
                return d.readWebSocketErrorCode()
            }
        }
        return nil
    }

    func testDataFramesPassOnAsTheyArriveAcrossFragments() throws {
        let ch = try channel()
        try ch.writeInbound(frame(.binary, "ab", fin: false))
        try ch.writeInbound(frame(.continuation, "cd", fin: false))
        try ch.writeInbound(frame(.continuation, "e"))
        var out = ""
        while let b = try ch.readInbound(as: ByteBuffer.self) { out += String(buffer: b) }
        XCTAssertEqual(out, "abcde")
        XCTAssertTrue(ch.isActive)
    }

    func testAMessagePastTheLimitAcrossFragmentsIsClosedWith1009() throws {
        let ch = try channel(max: 8)
        try ch.writeInbound(frame(.binary, "12345", fin: false))
        try ch.writeInbound(frame(.continuation, "67890"))
        XCTAssertEqual(try closeCode(ch), .messageTooLarge)
        XCTAssertFalse(ch.isActive)
    }

    func testEachMessageIsCountedAfresh() throws {
        let ch = try channel(max: 8)
        for _ in 0..<5 { try ch.writeInbound(frame(.binary, "123456")) }
        XCTAssertTrue(ch.isActive)
    }

    func testPingGetsPongWithItsData() throws {
        let ch = try channel()
        try ch.writeInbound(frame(.ping, "hi"))
        let pong = try XCTUnwrap(try ch.readOutbound(as: WebSocketFrame.self))
        XCTAssertEqual(pong.opcode, .pong)
        XCTAssertEqual(String(buffer: pong.unmaskedData), "hi")
    }

    func testCloseIsEchoedAndTheChannelCloses() throws {
        let ch = try channel()
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .goingAway)
        try ch.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        XCTAssertEqual(try closeCode(ch), .goingAway)
        XCTAssertFalse(ch.isActive)
    }

    func testAContinuationWithoutAMessageIsAProtocolError() throws {
        let ch = try channel()
        try ch.writeInbound(frame(.continuation, "x"))
        XCTAssertEqual(try closeCode(ch), .protocolError)
    }

    func testOutputFollowsTheFrameTypeTheClientUses() throws {
        let ch = try channel(text: false)
        try ch.writeOutbound(ByteBuffer(string: "one"))
        XCTAssertEqual(try ch.readOutbound(as: WebSocketFrame.self)?.opcode, .binary)
        try ch.writeInbound(frame(.text, "CONNECT"))
        try ch.writeOutbound(ByteBuffer(string: "two"))
        let f = try XCTUnwrap(try ch.readOutbound(as: WebSocketFrame.self))
        XCTAssertEqual(f.opcode, .text)
        XCTAssertTrue(f.fin)
        XCTAssertNil(f.maskKey, "server frames are not masked")
        XCTAssertEqual(String(buffer: f.unmaskedData), "two")
    }

    func testTheProtocolClosingSendsANormalClose() throws {
        let ch = try channel()
        ch.close(promise: nil)
        XCTAssertEqual(try closeCode(ch), .normalClosure)
    }
}
