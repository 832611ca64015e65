import NIOCore
import PierCore

/// Translates between MQTT PUBLISH fields and the core's protocol-neutral `Message`.
public enum MQTTMessageMapping {
    public static func message(topic: String, payload: ByteBuffer, qos: QoS, retain: Bool, properties: MQTTProperties,
                               origin: String?, now: Int64) -> Message {
        Message(
            destination: .topic(topic),
            payload: payload,
            qos: qos,
            retain: retain,
            expiresAt: properties.messageExpiryInterval.map { now + Int64($0) * 1000 },
            contentType: properties.contentType,
            responseTopic: properties.responseTopic,
            correlationData: properties.correlationData,
            payloadIsUTF8: properties.payloadFormatIndicator.map { $0 == 1 },
            userProperties: properties.userProperties,
            origin: origin)
    }

    /// The 5.0 properties a subscriber receives; the expiry is what remains of the original interval.
    public static func properties(of message: Message, now: Int64) -> MQTTProperties {
        var p = MQTTProperties()
        p.payloadFormatIndicator = message.payloadIsUTF8.map { $0 ? 1 : 0 }
        p.messageExpiryInterval = message.remainingExpirySeconds(now: now)
        p.contentType = message.contentType
        p.responseTopic = message.responseTopic
        p.correlationData = message.correlationData
        p.userProperties = message.userProperties
        return p
    }
}
