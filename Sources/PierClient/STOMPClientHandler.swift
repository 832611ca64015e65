import NIOCore
import PierSTOMP

/// The STOMP 1.2 client behind `pier pub --stomp` and `pier sub --stomp`: sends ask for receipts, so
/// `pier pub` ends only once the broker has taken every message.
final class STOMPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: ClientRequest
    private let output: @Sendable (String) -> Void
    private let done: EventLoopPromise<Void>
    private var decoder = STOMPFrameDecoder(version: .v1_2)
    private var inbound = ByteBuffer()
    private var receipts = Set<String>()
    private var received = 0
    private var finished = false

    init(request: ClientRequest, output: @escaping @Sendable (String) -> Void, done: EventLoopPromise<Void>) {
        self.request = request
        self.output = output
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        var connect = STOMPFrame(.connect, ["accept-version": "1.2", "host": "/", "heart-beat": "0,0"])
        if let username = request.username { connect.setHeader("login", username) }
        if let password = request.password { connect.setHeader("passcode", password) }
        send(connect, context: context)
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
            while !finished, let event = try decoder.next(&inbound) {
                if case .frame(let frame) = event { handle(frame, context: context) }
            }
        } catch {
            finish(.failure(ClientError("malformed frame from the broker: \(error)")), context: context)
        }
        inbound.discardReadBytes()
    }

    private func handle(_ frame: STOMPFrame, context: ChannelHandlerContext) {
        switch frame.command {
        case .connected:
            connected(context: context)
        case .receipt:
            if let id = frame.header("receipt-id") { receipts.remove(id) }
            if receipts.isEmpty { finish(.success(()), context: context) }
        case .message:
            output(request.verbose ? "\(frame.header("destination") ?? "") \(String(buffer: frame.body))" : String(buffer: frame.body))
            if request.qos > 0, let ack = frame.header("ack") { send(STOMPFrame(.ack, ["id": ack]), context: context) }
            received += 1
            if case .subscribe(let count?) = request.action, received >= count { finish(.success(()), context: context) }
        case .error:
            let detail = String(buffer: frame.body).trimmingSuffix()
            let message = frame.header("message") ?? "error"
            finish(.failure(ClientError(detail.isEmpty ? message : "\(message): \(detail)")), context: context)
        default:
            break
        }
    }

    private func connected(context: ChannelHandlerContext) {
        switch request.action {
        case .publish(let messages, _):
            for (index, body) in messages.enumerated() {
                let receipt = "r-\(index)"
                receipts.insert(receipt)
                var frame = STOMPFrame(.send, ["destination": request.destination, "receipt": receipt], body: body)
                if request.qos > 0 { frame.setHeader("persistent", "true") }
                send(frame, context: context)
            }
            if messages.isEmpty { finish(.success(()), context: context) }
        case .subscribe:
            send(STOMPFrame(.subscribe, ["id": "0", "destination": request.destination,
                                         "ack": request.qos > 0 ? "client-individual" : "auto"]), context: context)
        }
    }

    private func finish(_ result: Result<Void, ClientError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        if case .success = result { send(STOMPFrame(.disconnect), context: context) }
        done.completeWith(result.mapError { $0 as any Error })
        context.close(promise: nil)
    }

    private func send(_ frame: STOMPFrame, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        STOMPFrameEncoder.encode(frame, version: .v1_2, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

private extension String {
    func trimmingSuffix() -> String {
        var s = self
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s.removeLast() }
        return s
    }
}
