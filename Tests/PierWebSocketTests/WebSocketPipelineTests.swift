import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest

@testable import PierWebSocket

/// The whole layer on an EmbeddedChannel: HTTP in, the upgrade or a refusal out, then frames in and
/// bytes through to a stand-in protocol handler.
final class WebSocketPipelineTests: XCTestCase {
    final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // Echo, as a protocol's answer would go out.
            context.writeAndFlush(data, promise: nil)
        }
    }

    private func setUp(_ options: WebSocketOptions) throws -> (EmbeddedChannel, NIOLockedValueBox<WebSocketConnectionInfo?>) {
        let channel = EmbeddedChannel()
        let info = NIOLockedValueBox<WebSocketConnectionInfo?>(nil)
        try WebSocketPipeline.configure(channel, options: options) { ch, i in
            info.withLockedValue { $0 = i }
            return ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Recorder()) }
        }.wait()
        return (channel, info)
    }

    private func request(path: String = "/", subprotocols: String? = nil, extra: String = "") -> ByteBuffer {
        var text = "GET \(path) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocols { text += "Sec-WebSocket-Protocol: \(subprotocols)\r\n" }
        return ByteBuffer(string: text + extra + "\r\n")
    }

    /// Feeds bytes in; a refused upgrade also surfaces NIO's error, which a real channel only logs.
    private func send(_ channel: EmbeddedChannel, _ bytes: ByteBuffer) {
        _ = try? channel.writeInbound(bytes)
        channel.embeddedEventLoop.run()
    }

    private func response(_ channel: EmbeddedChannel) throws -> String {
        channel.embeddedEventLoop.run()
        var out = ""
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: b) }
        return out
    }

    func testUpgradeEchoesTheChosenSubprotocolAndFramesReachTheProtocol() throws {
        let (ch, info) = try setUp(WebSocketOptions())
        send(ch, request(subprotocols: "v11.stomp, v12.stomp"))
        let head = try response(ch)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101"), head)
        XCTAssertTrue(head.contains("Sec-WebSocket-Protocol: v12.stomp"), head)
        XCTAssertEqual(info.withLockedValue { $0?.choice }, .init(family: .stomp, subprotocol: "v12.stomp"))
        // A masked text frame "hi": FIN+text, mask bit + length 2, key, masked payload.
        let key: [UInt8] = [1, 2, 3, 4]
        send(ch, ByteBuffer(bytes: [0x81, 0x82] + key + [UInt8(ascii: "h") ^ 1, UInt8(ascii: "i") ^ 2]))
        var echoed: [UInt8] = []
        while let b = try ch.readOutbound(as: ByteBuffer.self) { echoed += b.readableBytesView }
        XCTAssertEqual(echoed, [0x81, 0x02, UInt8(ascii: "h"), UInt8(ascii: "i")], "answered in a text frame")
    }

    func testRefusalsAnswerInsteadOfHanging() throws {
        let cases: [(WebSocketOptions, ByteBuffer, String)] = [
            (WebSocketOptions(), request(subprotocols: "wamp"), "HTTP/1.1 400"),
            (WebSocketOptions(path: "/mqtt"), request(path: "/other", subprotocols: "mqtt"), "HTTP/1.1 404"),
            (WebSocketOptions(allowedOrigins: ["https://ok.example"]), request(subprotocols: "mqtt", extra: "Origin: https://evil.example\r\n"), "HTTP/1.1 403"),
            (WebSocketOptions(), ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.1 400"),
        ]
        for (options, req, expected) in cases {
            let (ch, info) = try setUp(options)
            send(ch, req)
            let out = try response(ch)
            XCTAssertTrue(out.hasPrefix(expected), "\(expected): \(out)")
            XCTAssertNil(info.withLockedValue { $0 })
            XCTAssertFalse(ch.isActive, "closed after the refusal")
        }
    }

    func testTrustedProxyAddressIsTheFirstForwardedEntry() throws {
        let (ch, info) = try setUp(WebSocketOptions(trustProxy: true))
        send(ch, request(subprotocols: "mqtt", extra: "X-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n"))
        _ = try response(ch)
        XCTAssertEqual(info.withLockedValue { $0?.forwardedFor }, "203.0.113.7")
        let (ch2, info2) = try setUp(WebSocketOptions())
        send(ch2, request(subprotocols: "mqtt", extra: "X-Forwarded-For: 203.0.113.7\r\n"))
        _ = try response(ch2)
        XCTAssertNil(info2.withLockedValue { $0?.forwardedFor }, "ignored unless the listener trusts its proxy")
    }
}
