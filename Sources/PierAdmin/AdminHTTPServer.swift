import NIOCore
import NIOHTTP1

/// The channel initializer of the HTTP listener: NIO's HTTP/1.1 codec (with pipelining kept in order)
/// and one `AdminHTTPHandler`. TLS, when configured, is put in front by `TCPListener`.
public enum AdminHTTPServer {
    public static func childInitializer(api: AdminAPI, access: AdminAccess) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                try sync.addHandler(AdminHTTPHandler(api: api, access: access))
            }
        }
    }
}
