import NIOCore
import NIOPosix
import NIOSSL

/// A bound TCP listening socket whose accepted channels are set up by the protocol's initializer.
/// TLS is a layer added in front of that initializer (WebSocket will be another), not a separate listener per protocol.
public struct TCPListener: Sendable {
    public let channel: any Channel

    public var localPort: Int? { channel.localAddress?.port }

    /// Accepted sockets start with a small receive buffer that grows only for clients that send a lot,
    /// so thousands of idle devices cost little memory.
    ///
    /// With `tls`, every accepted channel gets a `NIOSSLServerHandler` ahead of the protocol's handlers;
    /// without it, the pipeline is exactly what `childInitializer` builds.
    public static func bind(host: String, port: Int, group: any EventLoopGroup, tls: NIOSSLContext? = nil,
                            childInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) -> EventLoopFuture<TCPListener> {
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Void>
        if let tls {
            initializer = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }.flatMap { childInitializer(channel) }
            }
        } else {
            initializer = childInitializer
        }
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: CompactRecvByteBufferAllocator(minimum: 64, initial: 128, maximum: 65_536))
            .childChannelOption(.maxMessagesPerRead, value: 4)
            // A client that stops reading turns unwritable after 64 KiB queued, so the broker stops feeding it.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 16 * 1024, high: 64 * 1024))
            .childChannelInitializer(initializer)
            .bind(host: host, port: port)
            .map { TCPListener(channel: $0) }
    }

    public func close() -> EventLoopFuture<Void> {
        channel.close()
    }
}
