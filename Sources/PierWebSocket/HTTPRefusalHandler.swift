import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Answers every HTTP request that was not upgraded, and closes: without it a client whose upgrade was
/// refused (wrong path, origin or subprotocol, or no upgrade at all) would wait forever.
final class HTTPRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let options: WebSocketOptions
    private var answered = false

    init(options: WebSocketOptions) {
        self.options = options
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !answered else { return }
        answer(context, version: head.version, status: options.refusal(path: head.uri, origin: head.headers.first(name: "Origin")) ?? 400)
    }

    /// Bytes that are not HTTP (an MQTT CONNECT sent to a WebSocket port, garbage) fail in the decoder:
    /// answer 400 and close, rather than leave a socket open that will never be valid.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A refused upgrade is reported as an error too, just before its request arrives here to be
        // answered with the right status.
        if error is NIOWebSocketUpgradeError { return }
        guard !answered, error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        answer(context, version: .http1_1, status: 400)
    }

    private func answer(_ context: ChannelHandlerContext, version: HTTPVersion, status: Int) {
        guard !answered else { return }
        answered = true
        let reason: String
        switch status {
        case 403: reason = "origin not allowed\n"
        case 404: reason = "no WebSocket endpoint here\n"
        default: reason = "expected a WebSocket upgrade offering mqtt, mqttv3.1, v12.stomp, v11.stomp, v10.stomp or stomp\n"
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: String(reason.utf8.count))
        headers.add(name: "Connection", value: "close")
        let response = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reason)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
