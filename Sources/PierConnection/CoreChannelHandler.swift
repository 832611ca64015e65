import NIOCore
import PierCore

/// A protocol's channel handler built on a `ConnectionCore`. The NIO lifecycle is forwarded here once,
/// in the order every protocol needs: the core stops reading, writing and sweeping before the handler's
/// machine hears of a close, and bytes are in the core's buffer before the handler decodes.
/// A handler overrides a method only to add to it (OpenWire sends its WireFormatInfo on activation).
public protocol CoreChannelHandler: ChannelInboundHandler, SweptConnection where InboundIn == ByteBuffer {
    var core: ConnectionCore { get }
    /// The channel is gone and the core has let go of it: release core resources, tell the machine.
    func connectionClosed()
    /// New bytes are in the core's inbound buffer.
    func bytesArrived()
    /// Logs a channel error before the connection closes (by default at debug level: a reset peer is
    /// routine); MQTT adds the client id.
    func logConnectionError(_ error: any Error)
}

extension CoreChannelHandler {
    public func logConnectionError(_ error: any Error) {
        core.listener.logger.debug("connection error", metadata: ["listener": "\(core.listener.name)", "error": "\(error)"])
    }

    /// The client's address when a trusted proxy reported it (used in logs and ACL identities).
    public func reportClientAddress(_ address: String) {
        core.reportedAddress = address
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        core.handlerAdded(context: context, swept: self)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        core.handlerRemoved()
    }

    public func channelActive(context: ChannelHandlerContext) {
        core.channelActive()
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        core.channelInactive()
        connectionClosed()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.received(unwrapInboundIn(data))
        bytesArrived()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        core.flush()
        context.fireChannelReadComplete()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logConnectionError(error)
        context.close(promise: nil)
    }
}
