import NIOCore

/// The NIO side of `pier pub`/`pier sub`: bytes in to the session, its steps out to the socket, the
/// terminal and the run's promise.
final class ClientChannelHandler<Session: ClientSession>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: Session
    private let output: @Sendable (String) -> Void
    private let done: EventLoopPromise<Void>
    private var inbound = ByteBuffer()
    private var finished = false

    init(session: Session, output: @escaping @Sendable (String) -> Void, done: EventLoopPromise<Void>) {
        self.session = session
        self.output = output
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(session.start(), context: context)
        schedulePing(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ClientError("the broker closed the connection")), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(ClientError("\(error)")), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        inbound.writeBuffer(&bytes)
        do {
            while !finished, let packet = try session.decode(&inbound) {
                perform(session.receive(packet), context: context)
            }
        } catch {
            finish(.failure(ClientError("malformed data from the broker: \(error)")), context: context)
        }
        inbound.discardReadBytes()
    }

    private func perform(_ steps: [ClientStep<Session.Packet>], context: ChannelHandlerContext) {
        for step in steps where !finished {
            switch step {
            case .send(let packet):
                var buffer = context.channel.allocator.buffer(capacity: 128)
                session.encode(packet, into: &buffer)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            case .output(let line):
                output(line)
            case .finish(let result):
                finish(result, context: context)
            }
        }
    }

    private func finish(_ result: Result<Void, ClientError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.completeWith(result.mapError { $0 as any Error })
        context.close(promise: nil)
    }

    private func schedulePing(context: ChannelHandlerContext) {
        guard let keepAlive = session.keepAlive else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: keepAlive.every) { [self] in
            guard !finished else { return }
            perform([.send(keepAlive.packet)], context: context)
            schedulePing(context: context)
        }
    }
}
