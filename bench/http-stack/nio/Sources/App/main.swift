import NIOCore
import NIOHTTP1
import NIOPosix

final class Handler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var body = context.channel.allocator.buffer(capacity: 64)
        body.writeString("pier_up 1\n")
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "content-length", value: "\(body.readableBytes)")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try ServerBootstrap(group: group)
    .childChannelInitializer { ch in
        ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler()) }
    }
    .bind(host: "127.0.0.1", port: Int(CommandLine.arguments[1])!).wait()
try channel.closeFuture.wait()
