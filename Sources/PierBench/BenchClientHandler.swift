import NIOCore
import PierCore
import PierMQTT

/// One MQTT client connection of the load generator: the whole client is this one handler, using the
/// PierMQTT codec, with every counter kept in its event loop's `LoopStats`.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Options: Sendable {
        var clientID: String
        var version: MQTTProtocolVersion
        var keepAlive: UInt16
        var subscribeFilter: String?
        var subscribeQoS: QoS = .atMostOnce
        var publisher: PublisherOptions?
    }

    struct PublisherOptions: Sendable {
        var topic: String
        var qos: QoS
        var size: Int
        var rate: Double?
        var inflight: Int
        var index: UInt32
    }

    private let options: Options
    private let stats: LoopStats
    private let flow: FlowControl?
    private let ready: EventLoopPromise<Void>
    private var decoder: MQTTPacketDecoder
    private var cumulation: ByteBuffer?
    private var pendingOut: ByteBuffer?
    private var isReady = false
    private var closing = false
    private var lastSent: UInt64 = 0

    // Publisher state.
    private var payload: ByteBuffer
    private var publishing = false
    private var startNanos: UInt64 = 0
    private var stopNanos: UInt64 = 0
    private var published = 0
    private var inflight = Set<UInt16>()
    private var nextPacketID: UInt16 = 1
    private var window: Int
    // At most one of these wake-ups is armed, so there is never more than one pump chain.
    private var pumpPending = false
    private var timerArmed = false
    private var waitingForWritable = false
    private var waitingForWindow = false

    /// Messages per write: enough to amortise the syscall, few enough to let other connections on the loop run.
    private static let burst = 64

    init(options: Options, stats: LoopStats, flow: FlowControl?, ready: EventLoopPromise<Void>) {
        self.options = options
        self.stats = stats
        self.flow = flow
        self.ready = ready
        decoder = MQTTPacketDecoder(version: options.version)
        let size = options.publisher?.size ?? 0
        payload = ByteBufferAllocator().buffer(repeating: 0x2A, count: size)
        window = options.publisher?.inflight ?? 0
    }

    // MARK: Lifecycle

    func channelActive(context: ChannelHandlerContext) {
        let connect = MQTTConnect(protocolVersion: options.version, clientID: options.clientID, cleanStart: true,
                                  keepAlive: options.keepAlive)
        queue(.connect(connect), context: context)
        flush(context: context)
        let loop = context.eventLoop.assumeIsolated()
        loop.scheduleTask(in: .seconds(15)) { [self] in
            if !isReady { fail("no CONNACK/SUBACK within 15 s", context: context) }
        }
        scheduleKeepAlive(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        publishing = false
        if !isReady {
            ready.fail(BenchConnectionError("connection closed before it was ready"))
        } else if !closing {
            stats.counters.closedUnexpectedly += 1
            stats.note(error: "broker closed a connection")
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? BenchClientEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch event {
        case .startPublishing(let start, let stop):
            guard options.publisher != nil else { return }
            startNanos = start
            stopNanos = stop
            publishing = true
            pump(context: context)
        case .disconnect:
            publishing = false
            closing = true
            guard context.channel.isActive else { return }
            queue(.disconnect(MQTTDisconnect()), context: context)
            flush(context: context)
            context.close(promise: nil)
        }
    }

    private func fail(_ message: String, context: ChannelHandlerContext) {
        if isReady {
            stats.note(error: message)
        } else {
            isReady = true
            ready.fail(BenchConnectionError(message))
        }
        closing = true
        context.close(promise: nil)
    }

    private func scheduleKeepAlive(context: ChannelHandlerContext) {
        let interval = Int64(options.keepAlive) * 750_000_000
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(interval)) { [self] in
            guard context.channel.isActive, !closing else { return }
            // Publishers that sent recently need no ping.
            if BenchClock.now() &- lastSent >= UInt64(interval) {
                queue(.pingreq, context: context)
                flush(context: context)
            }
            scheduleKeepAlive(context: context)
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if cumulation == nil {
            cumulation = buffer
        } else {
            cumulation!.writeBuffer(&buffer)
        }
        while !closing {
            let packet: MQTTPacket?
            do {
                packet = try decoder.decode(&cumulation!)
            } catch {
                fail("decode: \(error)", context: context)
                return
            }
            guard let packet else { break }
            handle(packet, context: context)
        }
        if cumulation?.readableBytes == 0 {
            cumulation = nil
        } else if let c = cumulation, c.readerIndex > 65_536 {
            cumulation!.discardReadBytes()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && waitingForWritable {
            waitingForWritable = false
            pump(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func handle(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        switch packet {
        case .connack(let ack):
            guard !ack.reasonCode.isFailure else {
                fail("CONNACK \(ack.reasonCode)", context: context)
                return
            }
            if let receiveMaximum = ack.properties.receiveMaximum {
                window = min(window, Int(receiveMaximum))
            }
            if let filter = options.subscribeFilter {
                let subscribe = MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: filter, qos: options.subscribeQoS)])
                queue(.subscribe(subscribe), context: context)
            } else {
                becomeReady()
            }
        case .suback(let ack):
            if let bad = ack.reasonCodes.first(where: { $0.isFailure }) {
                fail("SUBACK \(bad)", context: context)
            } else {
                becomeReady()
            }
        case .publish(let publish):
            received(publish, context: context)
        case .puback(let ack), .pubcomp(let ack):
            acknowledged(ack.packetID, context: context)
        case .pubrec(let ack):
            if ack.reasonCode.isFailure {
                acknowledged(ack.packetID, context: context)
            } else {
                queue(.pubrel(MQTTPubAck(packetID: ack.packetID)), context: context)
            }
        case .pubrel(let rel):
            queue(.pubcomp(MQTTPubAck(packetID: rel.packetID)), context: context)
        case .pingresp, .unsuback:
            break
        case .disconnect(let d):
            fail("DISCONNECT \(d.reasonCode) from broker", context: context)
        case .connect, .subscribe, .unsubscribe, .pingreq, .auth:
            fail("unexpected packet from broker", context: context)
        }
    }

    private func becomeReady() {
        guard !isReady else { return }
        isReady = true
        ready.succeed()
    }

    private func received(_ publish: MQTTPublish, context: ChannelHandlerContext) {
        let now = BenchClock.now()
        let bytes = publish.payload.readableBytes
        stats.counters.received += 1
        stats.counters.receivedBytes += bytes
        stats.unreportedReceived += 1
        if now <= stats.windowEnd {
            stats.counters.receivedInWindow += 1
            stats.counters.receivedInWindowBytes += bytes
        }
        if publish.dup { stats.counters.duplicates += 1 }
        if bytes >= PubSubConfig.minimumSize,
           let stamp = publish.payload.getInteger(at: publish.payload.readerIndex, as: UInt64.self),
           stamp > 0, stamp <= now {
            stats.latency.record(nanoseconds: now - stamp)
        }
        switch publish.qos {
        case .atMostOnce: break
        case .atLeastOnce: queue(.puback(MQTTPubAck(packetID: publish.packetID ?? 0)), context: context)
        case .exactlyOnce: queue(.pubrec(MQTTPubAck(packetID: publish.packetID ?? 0)), context: context)
        }
    }

    private func acknowledged(_ id: UInt16, context: ChannelHandlerContext) {
        guard inflight.remove(id) != nil else { return }
        stats.counters.acknowledged += 1
        if waitingForWindow && inflight.count < window {
            waitingForWindow = false
            schedulePump(context: context)
        }
    }

    // MARK: Publishing

    /// Sends what the rate, the in-flight window, the flow control and the socket allow, then arranges to
    /// be called again when one of them opens up.
    private func pump(context: ChannelHandlerContext) {
        guard publishing, let spec = options.publisher, context.channel.isActive else { return }
        let now = BenchClock.now()
        guard now < stopNanos else {
            publishing = false
            return
        }
        var budget = Self.burst
        if let rate = spec.rate {
            let due = Int(Double(now - startNanos) * rate / 1e9) + 1 - published
            budget = min(max(due, 0), 1000)
        }
        if spec.qos != .atMostOnce { budget = min(budget, window - inflight.count) }
        var flowBlocked = false
        if budget > 0, let flow {
            let allowed = flow.allowance(now: now)
            if allowed < budget {
                budget = allowed
                flowBlocked = allowed == 0
            }
        }
        if budget > 0 && context.channel.isWritable {
            send(budget, spec: spec, context: context)
        }

        if !context.channel.isWritable {
            waitingForWritable = true
        } else if spec.qos != .atMostOnce && inflight.count >= window {
            waitingForWindow = true
        } else if flowBlocked {
            armTimer(at: now + 1_000_000, context: context)
        } else if let rate = spec.rate {
            let nextDue = startNanos + UInt64(Double(published) / rate * 1e9)
            // Above 1000 msg/s one timer per millisecond sends the messages due, instead of a timer each.
            armTimer(at: rate > 1000 ? max(nextDue, now + 1_000_000) : max(nextDue, now), context: context)
        } else {
            schedulePump(context: context)
        }
    }

    private func armTimer(at deadline: UInt64, context: ChannelHandlerContext) {
        guard !timerArmed else { return }
        timerArmed = true
        context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
            timerArmed = false
            pump(context: context)
        }
    }

    private func schedulePump(context: ChannelHandlerContext) {
        guard !pumpPending else { return }
        pumpPending = true
        context.eventLoop.assumeIsolated().execute { [self] in
            pumpPending = false
            pump(context: context)
        }
    }

    private func send(_ count: Int, spec: PublisherOptions, context: ChannelHandlerContext) {
        var out = pendingOut ?? context.channel.allocator.buffer(capacity: count * (spec.size + spec.topic.utf8.count + 8))
        pendingOut = nil
        for _ in 0..<count {
            var packetID: UInt16?
            if spec.qos != .atMostOnce {
                while inflight.contains(nextPacketID) { advancePacketID() }
                packetID = nextPacketID
                inflight.insert(nextPacketID)
                advancePacketID()
            }
            published += 1
            let publish = MQTTPublish(topic: spec.topic, payload: payload, qos: spec.qos, packetID: packetID)
            MQTTPacketEncoder.encode(.publish(publish), version: options.version, into: &out)
            // The payload is the last field, so the stamp goes into its first 16 bytes in place.
            let payloadStart = out.writerIndex - spec.size
            out.setInteger(BenchClock.now(), at: payloadStart)
            out.setInteger(spec.index, at: payloadStart + 8)
            out.setInteger(UInt32(truncatingIfNeeded: published), at: payloadStart + 12)
        }
        stats.counters.sent += count
        stats.counters.sentBytes += count * spec.size
        flow?.didSend(count)
        lastSent = BenchClock.now()
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func advancePacketID() {
        nextPacketID = nextPacketID == UInt16.max ? 1 : nextPacketID + 1
    }

    // MARK: Writing

    private func queue(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        if pendingOut == nil { pendingOut = context.channel.allocator.buffer(capacity: 64) }
        MQTTPacketEncoder.encode(packet, version: options.version, into: &pendingOut!)
    }

    private func flush(context: ChannelHandlerContext) {
        guard let out = pendingOut else { return }
        pendingOut = nil
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }
}
