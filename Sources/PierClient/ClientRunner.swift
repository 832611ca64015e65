import NIOCore
import NIOPosix

/// Runs one `pier pub` or `pier sub` to completion on a single event loop.
public enum ClientRunner {
    public enum WireProtocol: Sendable {
        case mqtt
        case stomp
    }

    /// Returns once the request is done; throws `ClientError` (or a connection error) otherwise.
    /// `timeout` bounds the whole run (nil: none, as for a subscriber left running).
    public static func run(_ request: ClientRequest, over proto: WireProtocol, timeout: TimeAmount?,
                           output: @escaping @Sendable (String) -> Void) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let done = loop.makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        switch proto {
                        case .mqtt:
                            try channel.pipeline.syncOperations.addHandler(
                                ClientChannelHandler(session: MQTTClientSession(request: request), output: output, done: done))
                        case .stomp:
                            try channel.pipeline.syncOperations.addHandler(
                                ClientChannelHandler(session: STOMPClientSession(request: request), output: output, done: done))
                        }
                    }
                }
                .connect(host: request.host, port: request.port).wait()
        } catch {
            done.fail(error)
            throw ClientError("cannot connect to \(request.host):\(request.port): \(error)")
        }
        if let timeout {
            loop.scheduleTask(in: timeout) {
                done.fail(ClientError("timed out after \(timeout.nanoseconds / 1_000_000_000) s"))
                channel.close(promise: nil)
            }
        }
        try done.futureResult.wait()
    }
}
