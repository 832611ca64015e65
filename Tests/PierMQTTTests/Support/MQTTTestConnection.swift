import NIOCore
import PierCore
@testable import PierMQTT

/// Drives the decoder and the state machine exactly as `MQTTChannelHandler` does, with no socket:
/// bytes in, the packets the broker would write and whether it closed out.
struct MQTTTestConnection {
    struct Outcome {
        var sent: [MQTTPacket] = []
        var closed = false
        var published: [Message] = []
        var detached: (publishWill: Bool, expiry: UInt32, state: SessionDeliveryState)?
        var subscribed: [MQTTSubscribeRequest] = []
        var dropped = 0
        /// Durable events the handler would record, in order.
        var progress: [SessionEvent] = []
    }

    var machine: MQTTConnectionStateMachine
    var decoder: MQTTPacketDecoder
    var now: Int64 = 1_000_000
    var lastAttach: MQTTConnectRequest?

    init(configuration: MQTTServerConfiguration = .init(), authorizer: any Authorizer = AllowAllAuthorizer()) {
        machine = MQTTConnectionStateMachine(configuration: configuration, authorizer: authorizer, now: now)
        decoder = MQTTPacketDecoder(maximumPacketSize: configuration.maximumPacketSize)
    }

    /// Sends CONNECT and completes the attach as the broker would, returning what came back.
    @discardableResult
    mutating func connect(_ connect: MQTTConnect, sessionPresent: Bool = false, resumed: SessionDeliveryState = .init(),
                          queued: [Delivery] = []) -> Outcome {
        var out = feed(packet: .connect(connect), version: connect.protocolVersion)
        guard let request = lastAttach else { return out }
        let actions = machine.connectAccepted(request, sessionPresent: sessionPresent, resumed: resumed, queued: queued,
                                              identity: ClientIdentity(clientID: request.clientID, username: request.username), now: now)
        apply(actions, into: &out)
        return out
    }

    mutating func feed(packet: MQTTPacket, version: MQTTProtocolVersion? = nil) -> Outcome {
        var buffer = ByteBuffer()
        MQTTPacketEncoder.encode(packet, version: version ?? machine.version, into: &buffer)
        return feed(bytes: Array(buffer.readableBytesView))
    }

    mutating func feed(bytes: [UInt8]) -> Outcome {
        var out = Outcome()
        var buffer = ByteBuffer(bytes: bytes)
        while machine.acceptsInput, buffer.readableBytes > 0 {
            do {
                guard let packet = try decoder.decode(&buffer) else { break }
                apply(machine.receive(packet, now: now), into: &out)
            } catch {
                apply(machine.decodeFailed(error), into: &out)
                break
            }
        }
        return out
    }

    mutating func deliver(_ deliveries: [Delivery]) -> Outcome {
        var out = Outcome()
        apply(machine.deliver(deliveries, now: now), into: &out)
        return out
    }

    mutating func tick(to time: Int64) -> Outcome {
        now = time
        var out = Outcome()
        apply(machine.checkTimeouts(now: now), into: &out)
        return out
    }

    mutating func close() -> Outcome {
        var out = Outcome()
        apply(machine.channelClosed(), into: &out)
        return out
    }

    /// Plays the broker's side of subscribe/unsubscribe synchronously, like the handler.
    mutating func apply(_ actions: [MQTTConnectionStateMachine.Action], into out: inout Outcome) {
        for action in actions {
            switch action {
            case .send(let p): out.sent.append(p)
            case .close: out.closed = true
            case .attach(let request): lastAttach = request
            case .publish(let m, let ack, let exactlyOnceID):
                out.published.append(m)
                if let exactlyOnceID { out.progress.append(.incomingHeld(key: DeliveryKey(packetID: exactlyOnceID))) }
                if let ack { out.sent.append(ack) }
            case .release(let packetID, let ack):
                out.progress.append(.incomingDone(key: DeliveryKey(packetID: packetID)))
                out.sent.append(ack)
            case .sendAfterCommit(let p): out.sent.append(p)
            case .progress(let event): out.progress.append(event)
            case .subscribe(let id, let requests):
                out.subscribed += requests.filter { !$0.reasonCode.isFailure }
                apply(machine.subscribed(packetID: id, requests, retained: [], now: now), into: &out)
            case .unsubscribe(let id, let filters):
                apply(machine.unsubscribed(packetID: id, existed: filters.map { _ in true }), into: &out)
            case .detach(let will, let expiry, let state, _):
                out.detached = (will, expiry, state)
            case .dropped: out.dropped += 1
            case .requeue: break
            }
        }
    }
}

/// Builds raw packets for malformed-input cases the encoder would never produce.
enum RawPacket {
    static func make(_ firstByte: UInt8, _ body: [UInt8]) -> [UInt8] {
        [firstByte] + remainingLength(body.count) + body
    }

    static func remainingLength(_ n: Int) -> [UInt8] {
        var n = n
        var out: [UInt8] = []
        repeat {
            var b = UInt8(n % 128)
            n /= 128
            if n > 0 { b |= 0x80 }
            out.append(b)
        } while n > 0
        return out
    }

    static func string(_ s: String) -> [UInt8] {
        let u = Array(s.utf8)
        return [UInt8(u.count >> 8), UInt8(u.count & 0xFF)] + u
    }

    static func bytesString(_ u: [UInt8]) -> [UInt8] {
        [UInt8(u.count >> 8), UInt8(u.count & 0xFF)] + u
    }

    /// A CONNECT with the given name, level, flags and v5 property bytes (properties only when level is 5).
    static func connect(name: String = "MQTT", level: UInt8 = 4, flags: UInt8 = 0x02, keepAlive: UInt16 = 60,
                        properties: [UInt8] = [], payload: [UInt8]? = nil) -> [UInt8] {
        var body = string(name) + [level, flags, UInt8(keepAlive >> 8), UInt8(keepAlive & 0xFF)]
        if level == 5 { body += remainingLength(properties.count) + properties }
        body += payload ?? string("raw-client")
        return make(0x10, body)
    }
}
