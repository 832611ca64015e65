import FoundationEssentials
import PierBridge
import PierConnection
import PierCore

/// The JSON bodies of the admin API, as `docs/admin-api.yaml` describes them (keys in snake_case, times
/// in milliseconds since the epoch).
public enum AdminDocument {
    struct Broker: Encodable {
        var version: String
        var uptimeSeconds: Int64
        var startedAt: Int64
        var haRole: String
        var dataDir: String
        var connections: Int
        var sessions: Int
        var subscriptions: Int
        var retained: Int
        var queues: Int
        var messagesReceived: Int
        var messagesSent: Int
        var queueEnqueued: Int
        var queueAcknowledged: Int
        var queueDeadLettered: Int
    }

    struct Listener: Encodable {
        var name: String
        var `protocol`: String
        var transport: String
        var bind: String
        var port: Int
    }

    struct Connection: Encodable {
        var id: UInt64
        var `protocol`: String
        var listener: String
        var remoteAddress: String?
        var clientId: String?
        var user: String?
        var connectedSince: Int64

        init(_ e: ConnectionRegistry.Entry) {
            id = e.id
            `protocol` = e.protocolName
            listener = e.listener
            remoteAddress = e.remoteAddress
            clientId = e.clientID
            user = e.username
            connectedSince = e.connectedSince
        }
    }

    struct Session: Encodable {
        var clientId: String
        var user: String?
        var connected: Bool
        var persistent: Bool
        var subscriptions: Int
        var queued: Int

        init(_ s: SessionSummary) {
            clientId = s.clientID
            user = s.username
            connected = s.connected
            persistent = s.persistent
            subscriptions = s.subscriptions
            queued = s.queued
        }
    }

    struct Queue: Encodable {
        var name: String
        var depth: Int
        var inFlight: Int
        var consumers: Int

        init(_ q: QueueManager.Summary) {
            name = q.name
            depth = q.depth
            inFlight = q.inFlight
            consumers = q.consumers
        }
    }

    struct Message: Encodable {
        var id: UInt64?
        var destination: String
        /// The body as text when it is UTF-8, else null (see `payloadBase64`).
        var payload: String?
        var payloadBase64: String
        var persistent: Bool
        var priority: Int
        var redeliveryCount: Int
        var expiresAt: Int64?
        var properties: [String: String]

        init(_ m: PierCore.Message) {
            id = m.id
            destination = m.destination.isQueue ? "queue://\(m.destination.name)" : "topic://\(m.destination.name)"
            let bytes = Array(m.payload.readableBytesView)
            payload = String(validating: bytes, as: UTF8.self)
            payloadBase64 = Data(bytes).base64EncodedString()
            persistent = m.isPersistent
            priority = Int(m.headers.priority)
            redeliveryCount = Int(m.headers.redeliveryCount)
            expiresAt = m.expiresAt
            properties = Dictionary(m.properties.map { ($0.name, $0.value.stringValue) }, uniquingKeysWith: { _, last in last })
        }
    }

    struct Retained: Encodable {
        var topic: String
        var qos: Int
        var bytes: Int
        var payload: String?
        var expiresAt: Int64?

        init(_ m: PierCore.Message) {
            topic = m.topic
            qos = Int(m.qos.rawValue)
            bytes = m.payload.readableBytes
            payload = String(validating: Array(m.payload.readableBytesView), as: UTF8.self)
            expiresAt = m.expiresAt
        }
    }

    struct Topic: Encodable {
        var filter: String
        var subscribers: Int
    }

    struct Bridge: Encodable {
        var name: String
        var connected: Bool
        var connectedAddress: String?
        var backlogMessages: Int
        var backlogBytes: Int
        var forwarded: Int
        var dropped: Int
        var deadLettered: Int
        var paused: Bool

        init(name: String, _ s: PierBridge.Bridge.State) {
            self.name = name
            connected = s.connectedAddress != nil
            connectedAddress = s.connectedAddress
            backlogMessages = s.backlogMessages
            backlogBytes = s.backlogBytes
            forwarded = s.forwarded
            dropped = s.dropped
            deadLettered = s.deadLettered
            paused = s.paused
        }
    }

    struct Purged: Encodable { var purged: Int }
    struct Moved: Encodable { var moved: Int }
    struct Failure: Encodable { var error: String }
}
