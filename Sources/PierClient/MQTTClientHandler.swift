import NIOCore
import PierCore
import PierMQTT

/// The MQTT 5 client behind `pier pub` and `pier sub`: one connection, PierMQTT's codec, QoS 0–2 both ways.
final class MQTTClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: ClientRequest
    private let output: @Sendable (String) -> Void
    private let done: EventLoopPromise<Void>
    private var decoder = MQTTPacketDecoder(version: .v5)
    private var inbound = ByteBuffer()
    private var unacknowledged = Set<UInt16>()
    private var received = 0
    private var finished = false
    private static let keepAlive: UInt16 = 60

    init(request: ClientRequest, output: @escaping @Sendable (String) -> Void, done: EventLoopPromise<Void>) {
        self.request = request
        self.output = output
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        send(.connect(MQTTConnect(protocolVersion: .v5, clientID: request.clientID, cleanStart: true,
                                  keepAlive: Self.keepAlive, username: request.username,
                                  password: request.password.map { Array($0.utf8) })), context: context)
        schedulePing(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ClientError("the broker closed the connection")), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(ClientError("\(error)")), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        inbound.writeBuffer(&bytes)
        do {
            while !finished, let packet = try decoder.decode(&inbound) {
                handle(packet, context: context)
            }
        } catch {
            finish(.failure(ClientError("malformed packet from the broker: \(error)")), context: context)
        }
        inbound.discardReadBytes()
    }

    private func handle(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        switch packet {
        case .connack(let ack):
            guard !ack.reasonCode.isFailure else {
                return finish(.failure(ClientError("connection refused: \(Self.reason(ack.reasonCode, ack.properties))")), context: context)
            }
            connected(context: context)
        case .puback(let ack), .pubcomp(let ack):
            if ack.reasonCode.isFailure {
                return finish(.failure(ClientError("publish refused: \(Self.reason(ack.reasonCode, ack.properties))")), context: context)
            }
            unacknowledged.remove(ack.packetID)
            if unacknowledged.isEmpty { disconnect(context: context) }
        case .pubrec(let ack):
            if ack.reasonCode.isFailure {
                return finish(.failure(ClientError("publish refused: \(Self.reason(ack.reasonCode, ack.properties))")), context: context)
            }
            send(.pubrel(MQTTPubAck(packetID: ack.packetID)), context: context)
        case .suback(let ack):
            if let failure = ack.reasonCodes.first(where: \.isFailure) {
                return finish(.failure(ClientError("subscription refused: \(Self.reason(failure, ack.properties))")), context: context)
            }
        case .publish(let publish):
            deliver(publish, context: context)
        case .pubrel(let rel):
            send(.pubcomp(MQTTPubAck(packetID: rel.packetID)), context: context)
        case .disconnect(let d):
            finish(.failure(ClientError("disconnected by the broker: \(Self.reason(d.reasonCode, d.properties))")), context: context)
        default:
            break
        }
    }

    private func connected(context: ChannelHandlerContext) {
        switch request.action {
        case .publish(let messages, let retain):
            let qos = QoS(rawValue: request.qos) ?? .atMostOnce
            for (index, message) in messages.enumerated() {
                let id = qos == .atMostOnce ? nil : UInt16(index % 65535 + 1)
                if let id { unacknowledged.insert(id) }
                send(.publish(MQTTPublish(topic: request.destination, payload: message, qos: qos, retain: retain, packetID: id)),
                     context: context)
            }
            if unacknowledged.isEmpty { disconnect(context: context) }
        case .subscribe:
            let qos = QoS(rawValue: request.qos) ?? .atMostOnce
            send(.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: request.destination, qos: qos)])),
                 context: context)
        }
    }

    private func deliver(_ publish: MQTTPublish, context: ChannelHandlerContext) {
        let body = String(buffer: publish.payload)
        output(request.verbose ? "\(publish.topic) \(body)" : body)
        if let id = publish.packetID {
            send(publish.qos == .exactlyOnce ? .pubrec(MQTTPubAck(packetID: id)) : .puback(MQTTPubAck(packetID: id)), context: context)
        }
        received += 1
        if case .subscribe(let count?) = request.action, received >= count { disconnect(context: context) }
    }

    private func disconnect(context: ChannelHandlerContext) {
        send(.disconnect(MQTTDisconnect()), context: context)
        finish(.success(()), context: context)
    }

    private func finish(_ result: Result<Void, ClientError>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.completeWith(result.mapError { $0 as any Error })
        context.close(promise: nil)
    }

    private func send(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        MQTTPacketEncoder.encode(packet, version: .v5, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func schedulePing(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        loop.scheduleTask(in: .seconds(Int64(Self.keepAlive / 2))) { [self] in
            guard !finished else { return }
            send(.pingreq, context: context)
            schedulePing(context: context)
        }
    }

    static func reason(_ code: MQTTReasonCode, _ properties: MQTTProperties) -> String {
        properties.reasonString.map { "\(code) (\($0))" } ?? "\(code)"
    }
}
