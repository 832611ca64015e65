import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A loopback WebSocket server built on SwiftNIO's server upgrader that plays just enough MQTT broker for
/// the bench client: it answers CONNECT with a CONNACK split over two fragments after a ping, and records
/// what the client sent, so a test can check the client's side of the handshake and framing.
final class WebSocketStubBroker: Sendable {
    enum Mode: Sendable {
        /// Upgrade and echo the offered subprotocol.
        case echo
        /// Upgrade without a Sec-WebSocket-Protocol header.
        case noSubprotocol
        /// Answer the upgrade request with 400.
        case refuse
    }

    struct Record: Sendable {
        var path: String?
        var offeredProtocol: String?
        var opcodes: [WebSocketOpcode] = []
        var allMasked = true
        var binary: [UInt8] = []
        var pongPayload: [UInt8]?
        var closeCode: WebSocketErrorCode?
    }

    let record = NIOLockedValueBox(Record())
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    static let pingPayload: [UInt8] = [0x70, 0x69, 0x6E, 0x67]

    var port: Int { channel.localAddress?.port ?? 0 }

    init(mode: Mode) throws {
        let record = self.record
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 16, automaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                record.withLockedValue {
                    $0.path = head.uri
                    $0.offeredProtocol = head.headers["Sec-WebSocket-Protocol"].first
                }
                switch mode {
                case .refuse: return channel.eventLoop.makeSucceededFuture(nil)
                case .noSubprotocol: return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
                case .echo: return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", "mqtt")]))
                }
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FrameHandler(record: record))
                }
            })
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        if let refuser = try? context.pipeline.syncOperations.handler(type: Refuser.self) {
                            context.pipeline.syncOperations.removeHandler(refuser, promise: nil)
                        }
                    }))
                    // Without it a refused upgrade would leave the client waiting (see shared/swift-notes.md).
                    try pipeline.addHandler(Refuser())
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Answers every request that was not upgraded with 400.
    final class Refuser: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                        headers: ["Content-Length": "0", "Connection": "close"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// The broker side once upgraded.
    final class FrameHandler: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        private let record: NIOLockedValueBox<Record>
        private var connected = false

        init(record: NIOLockedValueBox<Record>) { self.record = record }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            let payload = Array(frame.unmaskedData.readableBytesView)
            record.withLockedValue { r in
                r.opcodes.append(frame.opcode)
                if frame.maskKey == nil { r.allMasked = false }
                switch frame.opcode {
                case .binary, .continuation: r.binary += payload
                case .pong: r.pongPayload = payload
                case .connectionClose:
                    var data = frame.unmaskedData
                    r.closeCode = data.readWebSocketErrorCode()
                default: break
                }
            }
            if frame.opcode == .binary, !connected, payload.first == 0x10 {
                connected = true
                send(.ping, Self.pingBuffer(), fin: true, context: context)
                send(.binary, ByteBuffer(bytes: [0x20, 0x02]), fin: false, context: context)
                send(.continuation, ByteBuffer(bytes: [0x00, 0x00]), fin: true, context: context)
                context.flush()
            }
            if frame.opcode == .connectionClose { context.close(promise: nil) }
        }

        private static func pingBuffer() -> ByteBuffer { ByteBuffer(bytes: WebSocketStubBroker.pingPayload) }

        private func send(_ opcode: WebSocketOpcode, _ data: ByteBuffer, fin: Bool, context: ChannelHandlerContext) {
            context.write(wrapOutboundOut(WebSocketFrame(fin: fin, opcode: opcode, data: data)), promise: nil)
        }
    }
}
