import Logging
import NIOCore

/// The one NIO handler of a client connection: bytes in through the frame decoder into the state
/// machine, actions out as writes, future completions and callbacks. All of it runs on the
/// channel's event loop; `AMQPConnection` hops there before calling in.
final class AMQPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var stateMachine: AMQPConnectionStateMachine
    private var decoder: AMQPFrameDecoder
    private var context: ChannelHandlerContext?
    private var inbound: ByteBuffer?
    private var outbound: ByteBuffer
    private let logger: Logger

    private(set) var sessionChannel: UInt16?
    /// Completed once: when the session is up, or with the reason it never came up.
    private var readyPromise: EventLoopPromise<Void>?
    let closedPromise: EventLoopPromise<AMQPConnectionError?>
    private var attachPromises: [UInt32: EventLoopPromise<Void>] = [:]
    private var detachPromises: [UInt32: EventLoopPromise<Void>] = [:]
    private var deliveryPromises: [UInt64: EventLoopPromise<AMQPDeliveryOutcome>] = [:]
    private var messageHandlers: [UInt32: @Sendable (AMQPIncomingDelivery) -> Void] = [:]
    private var nextToken: UInt64 = 0
    private var timer: Scheduled<Void>?
    /// Bounds the time from TCP connect until the session is up (TLS handshake included).
    private let openTimeoutMillis: UInt32
    private var openTimer: Scheduled<Void>?
    /// The first channel error seen before the session was up (a failed TLS handshake, a reset):
    /// the reason the connect fails, where the state machine would only know "connection lost".
    private var openError: (any Error)?
    private var performing = false
    private var flushScheduled = false
    private var queued: [AMQPConnectionStateMachine.Action] = []

    init(configuration: AMQPConnectionConfiguration, readyPromise: EventLoopPromise<Void>,
         closedPromise: EventLoopPromise<AMQPConnectionError?>, logger: Logger) {
        self.stateMachine = AMQPConnectionStateMachine(configuration: configuration)
        self.decoder = AMQPFrameDecoder(maxFrameSize: configuration.maxFrameSize)
        self.openTimeoutMillis = configuration.openTimeoutMillis
        self.outbound = ByteBuffer()
        self.readyPromise = readyPromise
        self.closedPromise = closedPromise
        self.logger = logger
    }

    private static var now: Int64 { Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000) }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 1024)
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        if openTimeoutMillis > 0, openTimer == nil, readyPromise != nil {
            let millis = openTimeoutMillis
            openTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(millis))) {
                self.openTimer = nil
                guard let ready = self.readyPromise else { return }
                self.readyPromise = nil
                let error = AMQPClientError.openTimedOut(milliseconds: millis)
                self.openError = error
                ready.fail(error)
                self.context?.close(promise: nil)
            }
        }
        // Written at once even under TLS: NIOSSLHandler holds writes until its handshake is done.
        perform(stateMachine.start(now: Self.now))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var pending = inbound {
            inbound = nil
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        let now = Self.now
        while stateMachine.state != .closed {
            let item: AMQPFrameDecoder.Item?
            do {
                item = try decoder.next(&buffer)
            } catch {
                logger.warning("AMQP input rejected", metadata: ["error": "\(error)"])
                perform(stateMachine.decodeFailed(error))
                return
            }
            guard let item else { break }
            switch item {
            case .header(let header): perform(stateMachine.receive(header, now: now))
            case .frame(let frame): perform(stateMachine.receive(frame, now: now))
            }
        }
        guard stateMachine.state != .closed, buffer.readableBytes > 0 else { return }
        // Keep only the partial frame, in a buffer of its own, rather than holding on to (and compacting)
        // the channel's whole receive buffer until the rest of the frame arrives.
        var rest = context.channel.allocator.buffer(capacity: buffer.readableBytes)
        rest.writeBuffer(&buffer)
        inbound = rest
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(stateMachine.connectionLost())
        timer?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("AMQP connection error", metadata: ["error": "\(error)"])
        if readyPromise != nil, openError == nil {
            // Keep the first: NIOSSL's handshake error, not the "unclean shutdown" that follows it.
            openError = AMQPTLSConfiguration.handshakeError(error) ?? error
        }
        context.close(promise: nil)
    }

    // MARK: - Calls from AMQPConnection (on the event loop)

    func openSender(address: String, name: String, durable: UInt32) -> EventLoopFuture<UInt32> {
        attach(name: name) { (sm: inout AMQPConnectionStateMachine, channel) throws(AMQPConnectionError) in
            try sm.attachSender(channel: channel, name: name, address: address, durable: durable)
        }
    }

    func openReceiver(address: String, name: String, credit: UInt32, durable: UInt32,
                      onMessage: @escaping @Sendable (AMQPIncomingDelivery) -> Void) -> EventLoopFuture<UInt32> {
        attach(name: name, onMessage: onMessage) { (sm: inout AMQPConnectionStateMachine, channel) throws(AMQPConnectionError) in
            try sm.attachReceiver(channel: channel, name: name, address: address, credit: credit, durable: durable)
        }
    }

    private func attach(name: String, onMessage: (@Sendable (AMQPIncomingDelivery) -> Void)? = nil,
                        _ body: (inout AMQPConnectionStateMachine, UInt16) throws(AMQPConnectionError) -> (handle: UInt32, actions: [AMQPConnectionStateMachine.Action])) -> EventLoopFuture<UInt32> {
        let eventLoop = context!.eventLoop
        guard let channel = sessionChannel else { return eventLoop.makeFailedFuture(AMQPConnectionError.notOpen) }
        do {
            let (handle, actions) = try body(&stateMachine, channel)
            let promise = eventLoop.makePromise(of: Void.self)
            attachPromises[handle] = promise
            if let onMessage { messageHandlers[handle] = onMessage }
            perform(actions)
            return promise.futureResult.map { handle }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func send(handle: UInt32, payload: ByteBuffer) -> EventLoopFuture<AMQPDeliveryOutcome> {
        let eventLoop = context!.eventLoop
        guard let channel = sessionChannel else { return eventLoop.makeFailedFuture(AMQPConnectionError.notOpen) }
        let token = nextToken
        nextToken &+= 1
        let promise = eventLoop.makePromise(of: AMQPDeliveryOutcome.self)
        deliveryPromises[token] = promise
        perform(stateMachine.send(channel: channel, handle: handle, token: token, payload: payload))
        return promise.futureResult
    }

    func settle(deliveryID: UInt32, state: AMQPDeliveryState) {
        guard let channel = sessionChannel else { return }
        perform(stateMachine.settle(channel: channel, deliveryID: deliveryID, state: state))
    }

    func detach(handle: UInt32) -> EventLoopFuture<Void> {
        let eventLoop = context!.eventLoop
        guard let channel = sessionChannel else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        detachPromises[handle] = promise
        let actions = stateMachine.detach(channel: channel, handle: handle)
        if actions.isEmpty {
            detachPromises[handle] = nil
            promise.succeed()
        }
        perform(actions)
        return promise.futureResult
    }

    func close() -> EventLoopFuture<Void> {
        perform(stateMachine.close())
        return closedPromise.futureResult.map { _ in }
    }

    // MARK: - Actions

    private func perform(_ actions: [AMQPConnectionStateMachine.Action]) {
        queued.append(contentsOf: actions)
        // Actions can lead to more state machine calls (open → begin); run them in order, once.
        guard !performing else { return }
        performing = true
        defer { performing = false }
        var closing: AMQPConnectionError?? = nil
        // Walked by index and cleared at the end: a settlement that frees a whole window queues thousands of
        // transfers here, and taking each from the front of an array would shift all the rest every time.
        var next = 0
        while next < queued.count {
            let action = queued[next]
            next += 1
            switch action {
            case .sendHeader(let header):
                outbound.writeBytes(header.bytes)
            case .sendFrame(let frame):
                outbound.writeAMQPFrame(frame)
            case .opened(let open):
                logger.debug("AMQP connection open", metadata: ["container-id": "\(open.containerID)"])
                scheduleTick()
                do {
                    let (channel, actions) = try stateMachine.beginSession()
                    sessionChannel = channel
                    queued.append(contentsOf: actions)
                } catch {
                    readyPromise?.fail(error)
                    readyPromise = nil
                }
            case .session(_, let event):
                handle(event)
            case .closed(let reason):
                closing = .some(reason)
            }
        }
        queued.removeAll(keepingCapacity: queued.capacity <= 4096)
        flush()
        if let reason = closing { finish(reason) }
    }

    /// Frames produced while the loop is busy (a pump sending a window of transfers, a read carrying many
    /// dispositions) go out in one write once the current task is done, not one syscall per frame.
    private func flush() {
        guard outbound.readableBytes > 0, let context, !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flushNow()
        }
    }

    private func flushNow() {
        guard outbound.readableBytes > 0, let context else { return }
        let bytes = outbound
        outbound = context.channel.allocator.buffer(capacity: 1024)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        stateMachine.noteWrite(now: Self.now)
    }

    private func handle(_ event: AMQPSessionEvent) {
        switch event {
        case .begun:
            openTimer?.cancel()
            openTimer = nil
            readyPromise?.succeed()
            readyPromise = nil
        case .ended(let error, let unsettled):
            let reason = error ?? AMQPError(condition: AMQPError.detachForced, description: "session ended")
            fail(tokens: unsettled, reason)
            // A peer that ends the session over a link (RabbitMQ does, for a bad address) explains it here.
            for (_, promise) in attachPromises { promise.fail(reason) }
            attachPromises.removeAll()
            sessionChannel = nil
            perform(stateMachine.close())
        case .linkAttached(let handle):
            attachPromises.removeValue(forKey: handle)?.succeed()
        case .linkDetached(let handle, let error, let unsettled):
            let reason = error ?? AMQPError(condition: AMQPError.detachForced, description: "link detached")
            attachPromises.removeValue(forKey: handle)?.fail(reason)
            fail(tokens: unsettled, reason)
            messageHandlers[handle] = nil
            detachPromises.removeValue(forKey: handle)?.succeed()
        case .outcome(_, let token, let outcome):
            deliveryPromises.removeValue(forKey: token)?.succeed(outcome)
        case .message(let handle, let delivery):
            messageHandlers[handle]?(delivery)
        case .credit:
            break
        }
    }

    private func fail(tokens: [UInt64], _ error: any Error) {
        for token in tokens { deliveryPromises.removeValue(forKey: token)?.fail(error) }
    }

    private func finish(_ reason: AMQPConnectionError?) {
        timer?.cancel()
        timer = nil
        openTimer?.cancel()
        openTimer = nil
        let error: any Error = reason ?? AMQPConnectionError.connectionLost
        // A socket that just went away before the session was up: say why, if the channel told us
        // (openError is only ever set before then).
        var why = reason.map { "\($0)" }
        if let openError, reason == nil || reason == .connectionLost {
            why = "\(openError)"
            readyPromise?.fail(openError)
        } else {
            readyPromise?.fail(error)
        }
        readyPromise = nil
        for (_, promise) in attachPromises { promise.fail(error) }
        for (_, promise) in deliveryPromises { promise.fail(error) }
        for (_, promise) in detachPromises { promise.succeed() }
        attachPromises.removeAll()
        deliveryPromises.removeAll()
        detachPromises.removeAll()
        messageHandlers.removeAll()
        sessionChannel = nil
        if let why { logger.info("AMQP connection ended", metadata: ["reason": "\(why)"]) }
        closedPromise.succeed(reason)
        flushNow()
        context?.close(promise: nil)
    }

    private func scheduleTick() {
        guard let context, let interval = stateMachine.tickIntervalMillis else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(interval)) {
            self.timer = nil
            self.perform(self.stateMachine.tick(now: Self.now))
            if self.stateMachine.state != .closed { self.scheduleTick() }
        }
    }
}
