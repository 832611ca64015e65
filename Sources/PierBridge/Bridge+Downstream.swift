import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierAMQP
import PierCore
import PierPersistence
import PierStore

/// Commands from upstream: each downstream rule is a receiver on the uplink whose deliveries become
/// local publishes, accepted upstream once they are durable here.
extension Bridge {
    func openDownstream(on connection: AMQPConnection) {
        let generation = connectionGeneration
        for rule in configuration.downstream {
            connection.openReceiver(address: rule.address, credit: 100, durable: true) { [self] delivery in
                deliverDownstream(delivery, rule: rule)
            }
            .hop(to: loop)
            .whenComplete { [self] result in
                switch result {
                case .success(let receiver):
                    guard generation == connectionGeneration else { return }
                    receivers.append(receiver)
                case .failure(let error):
                    logger.warning("bridge downstream attach failed", metadata: ["bridge": "\(configuration.name)",
                                                                                 "address": "\(rule.address)", "error": "\(error)"])
                }
            }
        }
    }

    /// A command from upstream becomes a local publish; it is accepted upstream once durable here.
    private func deliverDownstream(_ delivery: AMQPIncomingDelivery, rule: BridgeConfiguration.DownstreamRule) {
        let amqp = delivery.message
        let topic = TopicTemplate.render(rule.topic, captures: [], values: ["subject": amqp.properties?.subject ?? ""])
        var props: [UserProperty] = []
        for e in amqp.applicationProperties?.entries ?? [] {
            if case .string(let k) = e.key, case .string(let v) = e.value { props.append(UserProperty(k, v)) }
        }
        let message = Message(destination: .topic(topic), payload: Self.payload(of: amqp.body), qos: rule.qos,
                              contentType: amqp.properties?.contentType, userProperties: props, origin: tap.targetID)
        broker.publish(message, onCommit: { [self] in
            loop.execute {
                // Settlement is per session, so any receiver of this connection can settle the delivery.
                self.receivers.first?.accept(delivery)
            }
        })
    }

    /// Bytes for an MQTT payload: data sections as they are; an amqp-value holding binary or a string
    /// (what many clients send for a bytes or text body) as its bytes.
    static func payload(of body: AMQPMessageBody) -> ByteBuffer {
        if let bytes = body.bytes { return bytes }
        switch body {
        case .value(.binary(let b)): return b
        case .value(.string(let s)): return ByteBuffer(string: s)
        default: return ByteBuffer()
        }
    }
}
