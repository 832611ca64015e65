import NIOCore

/// A Sendable handle on a handler confined to its channel's event loop. The core calls connections from
/// other loops and from the log's writer thread; a call made off the loop hops onto it, and one made on
/// it runs at once, so a delivery on the connection's own loop costs no hop.
public struct LoopBoundHandler<Handler: AnyObject>: Sendable {
    private let handler: NIOLoopBound<Handler>

    /// The loop `NIOLoopBound` keeps already: a second copy would cost every connection 16 bytes.
    public var eventLoop: any EventLoop { handler.eventLoop }

    public init(_ handler: Handler, eventLoop: any EventLoop) {
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    /// The handler itself, for a caller that is on the loop by contract (the core calls
    /// `SessionConnection.deliver` there): no closure to allocate on the hot path.
    public var value: Handler { handler.value }

    public func run(_ body: @escaping @Sendable (Handler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
