import NIOCore
import NIOHTTP1

/// The channel initializer of the HTTP listener: NIO's HTTP/1.1 codec (with pipelining kept in order)
/// and one `AdminHTTPHandler`. TLS, when configured, is put in front by `TCPListener`.
public enum AdminHTTPServer {
    /// A connection that sends nothing for this long is closed, so idle or stalled clients cannot pile up sockets.
    public static let idleTimeout = TimeAmount.seconds(60)
    /// How often an event stream sends a `: ping` comment; proxies commonly cut idle responses after 30-60 s.
    public static let heartbeat = TimeAmount.seconds(15)

    public static func childInitializer(api: AdminAPI, access: AdminAccess) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture { try configure(channel.pipeline.syncOperations, api: api, access: access) }
        }
    }

    static func configure(_ sync: ChannelPipeline.SynchronousOperations, api: AdminAPI, access: AdminAccess) throws {
        try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
        try sync.addHandler(AdminHTTPHandler(api: api, access: access))
    }
}
