import NIOCore
import NIOPosix

/// Owns the event loops, their `LoopStats`, and opens bench connections: connection i lives on loop
/// i mod loops and binds to its 127.0.0.x source address.
final class BenchConnector: Sendable {
    let group: MultiThreadedEventLoopGroup
    let target: BenchTarget
    let loops: [any EventLoop]
    private let stats: [NIOLoopBound<LoopStats>]
    let flow: FlowControl?

    /// Linux's IP_BIND_ADDRESS_NO_PORT: with a source address bound, the port is picked at connect time
    /// per destination, so one source address is not limited to one connection per ephemeral port overall.
    private static let bindAddressNoPort = ChannelOptions.Types.SocketOption(level: .init(rawValue: 0), name: .init(rawValue: 24))

    init(target: BenchTarget, flow: FlowControl? = nil) {
        self.target = target
        self.flow = flow
        group = MultiThreadedEventLoopGroup(numberOfThreads: target.eventLoopThreads)
        let loops = Array(group.makeIterator())
        self.loops = loops
        // NIOLoopBound must be created on its loop.
        stats = loops.map { loop in
            try! loop.submit { NIOLoopBound(LoopStats(), eventLoop: loop) }.wait()
        }
        if let flow {
            for (loop, bound) in zip(loops, stats) {
                loop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { _ in
                    let s = bound.value
                    if s.unreportedReceived > 0 {
                        flow.didReceive(s.unreportedReceived, now: BenchClock.now())
                        s.unreportedReceived = 0
                    }
                }
            }
        }
    }

    /// Connects and completes once the client is ready (CONNACK, and SUBACK when it subscribes).
    func connect(index: Int, options: BenchClientHandler.Options) -> EventLoopFuture<any Channel> {
        let slot = index % loops.count
        let loop = loops[slot]
        let bound = stats[slot]
        let flow = self.flow
        let ready = loop.makePromise(of: Void.self)
        let webSocket = target.webSocket
        let hostHeader = "\(target.host):\(target.port)"
        var bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let webSocket else {
                        let handler = BenchClientHandler(options: options, stats: bound.value, flow: flow, ready: ready)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return
                    }
                    try WebSocketClientPipeline.configure(channel: channel, hostHeader: hostHeader, webSocket: webSocket,
                                                          ready: ready) {
                        BenchClientHandler(options: options, stats: bound.value, flow: flow, ready: ready)
                    }
                }
            }
        if let source = target.sourceAddress(forConnection: index) {
            do {
                bootstrap = bootstrap.channelOption(Self.bindAddressNoPort, value: 1)
                    .bind(to: try SocketAddress(ipAddress: source, port: 0))
            } catch {
                return loop.makeFailedFuture(error)
            }
        }
        return bootstrap.connect(host: target.host, port: target.port).flatMap { channel in
            ready.futureResult.map { channel }.flatMapError { error in
                channel.close(promise: nil)
                return loop.makeFailedFuture(error)
            }
        }.flatMapErrorThrowing { error in
            ready.fail(error)
            throw error
        }
    }

    func counters() -> LoopCounters {
        zip(loops, stats).map { loop, bound in
            (try? loop.submit { bound.value.counters }.wait()) ?? LoopCounters()
        }.reduce(LoopCounters(), +)
    }

    func latency() -> LatencyRecorder {
        var all = LatencyRecorder()
        for (loop, bound) in zip(loops, stats) {
            if let part = try? loop.submit({ bound.value.latency }).wait() { all.merge(part) }
        }
        return all
    }

    /// Receipts after `end` no longer count towards the received rate.
    func setWindowEnd(_ end: UInt64) {
        for (loop, bound) in zip(loops, stats) {
            try? loop.submit { bound.value.windowEnd = end }.wait()
        }
    }

    /// Sends DISCONNECT on every channel and waits (bounded) for them to close.
    func disconnect(_ channels: [any Channel], timeout: TimeAmount = .seconds(5)) {
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(BenchClientEvent.disconnect)
        }
        let deadline = NIODeadline.now() + timeout
        while NIODeadline.now() < deadline, channels.contains(where: { $0.isActive }) {
            BenchSleep.seconds(0.05)
        }
        for channel in channels where channel.isActive { channel.close(promise: nil) }
    }

    func shutdown() {
        try? group.syncShutdownGracefully()
    }
}
