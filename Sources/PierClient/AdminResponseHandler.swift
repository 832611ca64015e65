import NIOCore
import NIOHTTP1

/// The NIO side of one admin API call (behind NIO's HTTP client codec): the request goes out as soon as
/// the connection is up, and the answer's status and body complete the promise.
final class AdminResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// The largest body kept: the biggest answer (a browse of 1000 messages) is far below it.
    static let maxBodyBytes = 64 << 20

    private let head: HTTPRequestHead
    private let done: EventLoopPromise<AdminHTTPResponse>
    private var status: Int?
    private var body: [UInt8] = []
    private var finished = false

    init(head: HTTPRequestHead, done: EventLoopPromise<AdminHTTPResponse>) {
        self.head = head
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        // With TLS below, NIOSSL holds these writes until its handshake is done.
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            status = Int(response.status.code)
        case .body(let chunk):
            guard body.count + chunk.readableBytes <= Self.maxBodyBytes else {
                finish(.failure(AdminFailure.failed("the admin API's answer is over \(Self.maxBodyBytes) bytes")), context: context)
                return
            }
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard let status else { return }
            finish(.success(AdminHTTPResponse(status: status, body: body)), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(AdminFailure.unreachable("the admin API closed the connection without an answer")), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error), context: context)
    }

    private func finish(_ result: Result<AdminHTTPResponse, any Error>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
        context.close(promise: nil)
    }
}
