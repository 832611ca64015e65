import NIOCore
import NIOWebSocket

/// Turns an upgraded WebSocket connection back into the byte stream `BenchClientHandler` speaks, so the
/// MQTT client is the same over TCP and over WebSocket.
///
/// - Inbound: the payload of every binary frame (and of its continuation frames) goes on as it arrives.
///   MQTT over WebSocket is a byte stream (MQTT 5 §6: message boundaries carry no meaning and a packet
///   may span frames), and the client already reassembles packets across reads, so a fragmented message
///   is delivered fragment by fragment instead of being buffered whole: no copy, no per-connection buffer.
///   The fragment sequence is still checked. Pings are answered with pongs; a close is echoed.
/// - Outbound: every write becomes one final, masked binary frame (RFC 6455 §5.3: a client masks all frames).
///   Closing the channel sends a close frame (1000) first.
final class WebSocketByteStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    /// Masking keys from a per-connection xorshift generator: `WebSocketMaskingKey.random()` makes a
    /// getrandom(2) system call per frame, which a publisher at full speed would pay on every write. The
    /// key only has to keep proxies from seeing attacker-chosen bytes (RFC 6455 §10.3); a seeded PRNG does.
    struct MaskGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    private var masks: MaskGenerator
    /// Inside a fragmented binary message: continuation frames are expected, a new data frame is not.
    private var inFragmentedMessage = false
    private var closeSent = false

    init(seed: UInt64 = .random(in: 1 ... .max)) {
        masks = MaskGenerator(state: seed == 0 ? 1 : seed)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            guard !inFragmentedMessage else {
                return protocolError("binary frame inside a fragmented message", code: .protocolError, context: context)
            }
            inFragmentedMessage = !frame.fin
            forward(frame, context: context)
        case .continuation:
            guard inFragmentedMessage else {
                return protocolError("continuation frame outside a fragmented message", code: .protocolError, context: context)
            }
            inFragmentedMessage = !frame.fin
            forward(frame, context: context)
        case .text:
            // MQTT over WebSocket: "MQTT Control Packets MUST be sent in WebSocket binary data frames".
            protocolError("text frame (MQTT travels in binary frames)", code: .unacceptableData, context: context)
        case .ping:
            send(opcode: .pong, data: frame.unmaskedData, context: context)
            context.flush()
        case .pong:
            break
        case .connectionClose:
            // RFC 6455 §5.5.1: answer with a close carrying the same status code, then drop the connection.
            var payload = frame.unmaskedData
            let code = payload.readWebSocketErrorCode() ?? .normalClosure
            sendClose(code: code, context: context)
            context.close(promise: nil)
        default:
            protocolError("reserved opcode \(frame.opcode)", code: .protocolError, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame decoder's errors: tell the broker why before the client handler closes the channel.
        if let error = error as? NIOWebSocketError {
            let code: WebSocketErrorCode = error == .invalidFrameLength ? .messageTooLarge : .protocolError
            sendClose(code: code, context: context)
        }
        context.fireErrorCaught(error)
    }

    private func forward(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        let payload = frame.unmaskedData
        guard payload.readableBytes > 0 else { return }
        context.fireChannelRead(wrapInboundOut(payload))
    }

    private func protocolError(_ message: String, code: WebSocketErrorCode, context: ChannelHandlerContext) {
        sendClose(code: code, context: context)
        context.fireErrorCaught(BenchConnectionError("WebSocket: \(message)"))
        context.close(promise: nil)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(using: &masks),
                                   data: unwrapOutboundIn(data))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all { sendClose(code: .normalClosure, context: context) }
        context.close(mode: mode, promise: promise)
    }

    /// At most one close frame per connection, whoever starts the closing handshake.
    private func sendClose(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        guard !closeSent, context.channel.isActive else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        send(opcode: .connectionClose, data: data, context: context)
        context.flush()
    }

    private func send(opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(using: &masks), data: data)
        context.write(wrapOutboundOut(frame), promise: nil)
    }
}
