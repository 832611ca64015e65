import NIOCore
import PierCore
import PierMQTT

/// `pier pub`/`pier sub` over MQTT 5: QoS 0–2 both ways, the broker's reason codes in the errors.
struct MQTTClientSession: ClientSession {
    let request: ClientRequest
    private var decoder = MQTTPacketDecoder(version: .v5)
    private var unacknowledged = Set<UInt16>()
    private var received = 0
    static let keepAliveSeconds: UInt16 = 60

    init(request: ClientRequest) {
        self.request = request
    }

    mutating func decode(_ buffer: inout ByteBuffer) throws -> MQTTPacket? {
        try decoder.decode(&buffer)
    }

    func encode(_ packet: MQTTPacket, into buffer: inout ByteBuffer) {
        MQTTPacketEncoder.encode(packet, version: .v5, into: &buffer)
    }

    var keepAlive: (packet: MQTTPacket, every: TimeAmount)? { (.pingreq, .seconds(Int64(Self.keepAliveSeconds / 2))) }

    func start() -> [ClientStep<MQTTPacket>] {
        [.send(.connect(MQTTConnect(protocolVersion: .v5, clientID: request.clientID, cleanStart: true,
                                    keepAlive: Self.keepAliveSeconds, username: request.username,
                                    password: request.password.map { Array($0.utf8) })))]
    }

    mutating func receive(_ packet: MQTTPacket) -> [ClientStep<MQTTPacket>] {
        switch packet {
        case .connack(let ack):
            guard !ack.reasonCode.isFailure else { return Self.fail("connection refused", ack.reasonCode, ack.properties) }
            return connected()
        case .puback(let ack), .pubcomp(let ack):
            guard !ack.reasonCode.isFailure else { return Self.fail("publish refused", ack.reasonCode, ack.properties) }
            unacknowledged.remove(ack.packetID)
            return unacknowledged.isEmpty ? Self.disconnect : []
        case .pubrec(let ack):
            guard !ack.reasonCode.isFailure else { return Self.fail("publish refused", ack.reasonCode, ack.properties) }
            return [.send(.pubrel(MQTTPubAck(packetID: ack.packetID)))]
        case .suback(let ack):
            if let failure = ack.reasonCodes.first(where: \.isFailure) { return Self.fail("subscription refused", failure, ack.properties) }
            return []
        case .publish(let publish):
            return deliver(publish)
        case .pubrel(let rel):
            return [.send(.pubcomp(MQTTPubAck(packetID: rel.packetID)))]
        case .disconnect(let d):
            return Self.fail("disconnected by the broker", d.reasonCode, d.properties)
        default:
            return []
        }
    }

    private mutating func connected() -> [ClientStep<MQTTPacket>] {
        let qos = QoS(rawValue: request.qos) ?? .atMostOnce
        switch request.action {
        case .publish(let messages, let retain):
            var steps: [ClientStep<MQTTPacket>] = []
            for (index, message) in messages.enumerated() {
                let id = qos == .atMostOnce ? nil : UInt16(index % 65535 + 1)
                if let id { unacknowledged.insert(id) }
                steps.append(.send(.publish(MQTTPublish(topic: request.destination, payload: message, qos: qos,
                                                        retain: retain, packetID: id))))
            }
            return unacknowledged.isEmpty ? steps + Self.disconnect : steps
        case .subscribe:
            return [.send(.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: request.destination, qos: qos)])))]
        }
    }

    private mutating func deliver(_ publish: MQTTPublish) -> [ClientStep<MQTTPacket>] {
        let body = String(buffer: publish.payload)
        var steps: [ClientStep<MQTTPacket>] = [.output(request.verbose ? "\(publish.topic) \(body)" : body)]
        if let id = publish.packetID {
            steps.append(.send(publish.qos == .exactlyOnce ? .pubrec(MQTTPubAck(packetID: id)) : .puback(MQTTPubAck(packetID: id))))
        }
        received += 1
        if case .subscribe(let count?) = request.action, received >= count { steps += Self.disconnect }
        return steps
    }

    private static let disconnect: [ClientStep<MQTTPacket>] = [.send(.disconnect(MQTTDisconnect())), .finish(.success(()))]

    private static func fail(_ what: String, _ code: MQTTReasonCode, _ properties: MQTTProperties) -> [ClientStep<MQTTPacket>] {
        [.finish(.failure(ClientError("\(what): " + (properties.reasonString.map { "\(code) (\($0))" } ?? "\(code)"))))]
    }
}
