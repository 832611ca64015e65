import NIOCore
import NIOWebSocket
import Synchronization

/// Turns an upgraded connection's WebSocket frames into the byte stream MQTT and STOMP decoders read,
/// and their output back into frames, so the same protocol handlers serve TCP and WebSocket.
///
/// Data frames pass on as they arrive (a packet may span messages, a message may hold several packets);
/// the size of the message they belong to is counted, and one past `maxMessageSize` is answered with
/// close code 1009. Pings get pongs; a close is echoed and the connection closed. Output goes out in the
/// frame type the client last used (binary until it sends text), one frame per flush.
public final class WebSocketStreamHandler: ChannelDuplexHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = WebSocketFrame

    private let maxMessageSize: Int
    private var messageBytes = 0
    private var inMessage = false
    private var outputOpcode: WebSocketOpcode
    private var closeSent = false

    /// Set when the broker is stopping: connections then close with 1001 (going away), not 1000.
    public static let serverStopping = Atomic<Bool>(false)

    public init(maxMessageSize: Int, textOutput: Bool = false) {
        self.maxMessageSize = maxMessageSize
        self.outputOpcode = textOutput ? .text : .binary
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text, .continuation:
            if frame.opcode == .continuation {
                guard inMessage else { return close(context, code: .protocolError) }
            } else {
                guard !inMessage else { return close(context, code: .protocolError) }
                messageBytes = 0
                outputOpcode = frame.opcode
            }
            messageBytes += frame.length
            guard messageBytes <= maxMessageSize else { return close(context, code: .messageTooLarge) }
            inMessage = !frame.fin
            var payload = frame.unmaskedData
            if payload.readableBytes > 0 {
                context.fireChannelRead(wrapInboundOut(payload.readSlice(length: payload.readableBytes)!))
            }
        case .ping:
            guard frame.fin else { return close(context, code: .protocolError) }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            close(context, code: code)
        default:
            close(context, code: .protocolError)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: outputOpcode, data: bytes)), promise: promise)
    }

    /// The protocol closing (DISCONNECT, ERROR, a timeout) ends the WebSocket properly first.
    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all && !closeSent && context.channel.isActive {
            closeSent = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: Self.serverStopping.load(ordering: .relaxed) ? .goingAway : .normalClosure)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    private func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        if !closeSent {
            closeSent = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        }
        context.close(promise: nil)
    }
}
