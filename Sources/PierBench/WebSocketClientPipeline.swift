import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The pipeline of a bench connection over WebSocket, built from SwiftNIO's own client upgrader:
///
///     before the upgrade: HTTPRequestEncoder, HTTPResponseDecoder, NIOHTTPClientUpgradeHandler, WebSocketUpgradeStarter
///     after a 101:        WebSocketFrameEncoder, WebSocketFrameDecoder, WebSocketByteStreamHandler, BenchClientHandler
///
/// Every HTTP handler is gone once upgraded, so an idle connection costs the generator only the four
/// handlers below (the frame decoder holds no buffer between frames).
enum WebSocketClientPipeline {
    /// - Parameters:
    ///   - hostHeader: the `Host` header, `host:port`.
    ///   - makeClient: creates the MQTT client handler; called on the channel's loop once upgraded.
    static func configure(channel: any Channel, hostHeader: String, webSocket: BenchWebSocket,
                          ready: EventLoopPromise<Void>,
                          makeClient: @escaping @Sendable () -> BenchClientHandler) throws {
        let subprotocol = webSocket.subprotocol
        // automaticErrorHandling off: WebSocketByteStreamHandler answers frame errors with its own close
        // frame, so the connection never sends two.
        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: webSocket.maxFrameSize,
                                                  automaticErrorHandling: false) { channel, response in
            channel.eventLoop.makeCompletedFuture {
                // A browser fails the handshake when the offered subprotocol is not echoed; so does the bench,
                // so that a broker picking some other protocol is caught here and not as an MQTT decode error.
                let echoed = response.headers["Sec-WebSocket-Protocol"]
                // A token holds no spaces, so dropping them all trims the header value.
                guard echoed.contains(where: { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == subprotocol.lowercased() }) else {
                    throw BenchConnectionError("WebSocket upgrade without subprotocol \(subprotocol) (got \(echoed))")
                }
                let bridge = WebSocketByteStreamHandler()
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(bridge)
                try pipeline.addHandler(makeClient())
                // The channel became active before the upgrade; start the MQTT client as if it just had.
                try pipeline.context(handler: bridge).fireChannelActive()
            }.flatMapErrorThrowing { error in
                ready.fail(error)
                channel.close(promise: nil)
                throw error
            }
        }
        let upgrade: NIOHTTPClientUpgradeConfiguration = (upgraders: [upgrader], completionHandler: { context in
            // Runs once the HTTP codec is removed and before the WebSocket handlers are added: from here on
            // the MQTT client reports failures, and the starter must not see WebSocket traffic.
            let pipeline = context.pipeline.syncOperations
            if let starter = try? pipeline.handler(type: WebSocketUpgradeStarter.self) {
                pipeline.removeHandler(starter, promise: nil)
            }
        })
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHTTPClientHandlers(withClientUpgrade: upgrade)
        try pipeline.addHandler(WebSocketUpgradeStarter(host: hostHeader, path: webSocket.path,
                                                        subprotocol: subprotocol, ready: ready))
    }
}
