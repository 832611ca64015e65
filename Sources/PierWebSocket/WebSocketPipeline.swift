import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The WebSocket layer of a listener's stack: HTTP/1.1 until the upgrade, then frames turned into the
/// protocol's byte stream by `WebSocketStreamHandler`, with the protocol's handler added last. It sits
/// above TCP or TLS like any layer, so MQTT and STOMP need no WebSocket code of their own.
public enum WebSocketPipeline {
    /// Configures `channel` to upgrade; `protocolInitializer` adds the protocol's handler once it is upgraded.
    public static func configure(
        _ channel: any Channel, options: WebSocketOptions,
        protocolInitializer: @escaping @Sendable (any Channel, WebSocketConnectionInfo) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<Void> {
        let refusal = HTTPRefusalHandler(options: options)
        let deadline = channel.eventLoop.scheduleTask(in: options.handshakeTimeout) { channel.close(promise: nil) }
        let upgrader = NIOWebSocketServerUpgrader(
            // A single frame past the limit is refused by NIO's decoder with close code 1009; a message
            // of several smaller frames is counted by WebSocketStreamHandler.
            maxFrameSize: max(options.maxMessageSize, 1024),
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                guard options.refusal(path: head.uri, origin: head.headers.first(name: "Origin")) == nil,
                      let choice = choice(head, options) else {
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                var headers = HTTPHeaders()
                if let sub = choice.subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: sub) }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, head in
                deadline.cancel()
                guard let choice = choice(head, options) else { return channel.close() }
                let forwarded = options.trustProxy ? head.headers.first(name: "X-Forwarded-For")
                    .flatMap { $0.split(separator: ",").first.map { String($0).trimmingSpaces() } } : nil
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketStreamHandler(maxMessageSize: options.maxMessageSize, textOutput: choice.family == .stomp))
                }.flatMap {
                    protocolInitializer(channel, WebSocketConnectionInfo(choice: choice, forwardedFor: forwarded))
                }
            })
        return channel.eventLoop.makeCompletedFuture {
            channel.closeFuture.whenComplete { _ in deadline.cancel() }
            // NIO's own error handler answers 400 but leaves the socket open; HTTPRefusalHandler closes it.
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                    context.pipeline.removeHandler(name: refusalName, promise: nil)
                }),
                withErrorHandling: false)
            try channel.pipeline.syncOperations.addHandler(refusal, name: refusalName)
        }
    }

    private static let refusalName = "pier.http-refusal"

    static func choice(_ head: HTTPRequestHead, _ options: WebSocketOptions) -> WebSocketProtocolChoice? {
        let offered = head.headers[canonicalForm: "Sec-WebSocket-Protocol"].map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        return WebSocketProtocolChoice.choose(offered: offered, fixed: options.fixed)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
