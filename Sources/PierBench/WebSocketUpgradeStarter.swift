import NIOCore
import NIOHTTP1

/// Sends the HTTP/1.1 upgrade request of a WebSocket bench connection and reports why one never gets
/// upgraded. `NIOHTTPClientUpgradeHandler` adds the Upgrade/Connection/Sec-WebSocket-* headers to the request
/// and swaps the pipeline on a 101; what it passes on here is a refusal (any other status), and the
/// upgrade's completion handler removes this handler, after which the MQTT client owns `ready`.
final class WebSocketUpgradeStarter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let path: String
    private let subprotocol: String
    private let ready: EventLoopPromise<Void>
    private var timeout: Scheduled<Void>?
    private var done = false

    /// The same bound as the MQTT handshake's: a connection that is neither upgraded nor refused by then fails.
    static let upgradeTimeout = TimeAmount.seconds(15)

    init(host: String, path: String, subprotocol: String, ready: EventLoopPromise<Void>) {
        self.host = host
        self.path = path
        self.subprotocol = subprotocol
        self.ready = ready
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
        // Without a length NIO's request encoder would announce a chunked body on this GET.
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: Self.upgradeTimeout) { [self] in
            fail("no WebSocket upgrade within 15 s", context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only a response the upgrade handler did not take arrives here: the server refused the upgrade.
        if case .head(let response) = unwrapInboundIn(data) {
            fail("WebSocket upgrade refused: \(response.status.code) \(response.status.reasonPhrase)", context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("WebSocket upgrade failed: \(error)", context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("connection closed before the WebSocket upgrade", context: context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Upgraded (or the channel is gone): the timer must not fire into a pipeline this no longer belongs to.
        done = true
        timeout?.cancel()
        timeout = nil
    }

    private func fail(_ message: String, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timeout?.cancel()
        timeout = nil
        ready.fail(BenchConnectionError(message))
        context.close(promise: nil)
    }
}
