import NIOCore
import NIOHTTP1

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
        answered = true
        let status = options.refusal(path: head.uri, origin: head.headers.first(name: "Origin")) ?? 400
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
        let response = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reason)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
