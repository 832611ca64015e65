/// The JSON bodies of the admin API, as `docs/admin-api.yaml` describes them: written by the server
/// (PierAdmin) and read by `pier ctl` (PierClient), so both sides share one definition. Keys go over
/// the wire in snake_case (the coders convert them); times are milliseconds since the epoch.
public enum AdminDocument {
    public struct Broker: Codable, Sendable, Equatable {
        public var version: String
        public var uptimeSeconds: Int64
        public var startedAt: Int64
        public var haRole: String
        public var dataDir: String
        public var connections: Int
        public var sessions: Int
        public var subscriptions: Int
        public var retained: Int
        public var queues: Int
        public var messagesReceived: Int
        public var messagesSent: Int
        public var queueEnqueued: Int
        public var queueAcknowledged: Int
        public var queueDeadLettered: Int

        public init(version: String, uptimeSeconds: Int64, startedAt: Int64, haRole: String, dataDir: String, connections: Int,
                    sessions: Int, subscriptions: Int, retained: Int, queues: Int, messagesReceived: Int, messagesSent: Int,
                    queueEnqueued: Int, queueAcknowledged: Int, queueDeadLettered: Int) {
            self.version = version
            self.uptimeSeconds = uptimeSeconds
            self.startedAt = startedAt
            self.haRole = haRole
            self.dataDir = dataDir
            self.connections = connections
            self.sessions = sessions
            self.subscriptions = subscriptions
            self.retained = retained
            self.queues = queues
            self.messagesReceived = messagesReceived
            self.messagesSent = messagesSent
            self.queueEnqueued = queueEnqueued
            self.queueAcknowledged = queueAcknowledged
            self.queueDeadLettered = queueDeadLettered
        }
    }

    public struct Listener: Codable, Sendable, Equatable {
        public var name: String
        public var `protocol`: String
        public var transport: String
        public var bind: String
        public var port: Int

        public init(name: String, protocol: String, transport: String, bind: String, port: Int) {
            self.name = name
            self.protocol = `protocol`
            self.transport = transport
            self.bind = bind
            self.port = port
        }
    }

    public struct Connection: Codable, Sendable, Equatable {
        public var id: UInt64
        public var `protocol`: String
        public var listener: String
        public var remoteAddress: String?
        public var clientId: String?
        public var user: String?
        public var connectedSince: Int64

        public init(id: UInt64, protocol: String, listener: String, remoteAddress: String?, clientId: String?, user: String?,
                    connectedSince: Int64) {
            self.id = id
            self.protocol = `protocol`
            self.listener = listener
            self.remoteAddress = remoteAddress
            self.clientId = clientId
            self.user = user
            self.connectedSince = connectedSince
        }
    }

    public struct Session: Codable, Sendable, Equatable {
        public var clientId: String
        public var user: String?
        public var connected: Bool
        public var persistent: Bool
        public var subscriptions: Int
        public var queued: Int

        public init(clientId: String, user: String?, connected: Bool, persistent: Bool, subscriptions: Int, queued: Int) {
            self.clientId = clientId
            self.user = user
            self.connected = connected
            self.persistent = persistent
            self.subscriptions = subscriptions
            self.queued = queued
        }
    }

    public struct Queue: Codable, Sendable, Equatable {
        public var name: String
        public var depth: Int
        public var inFlight: Int
        public var consumers: Int

        public init(name: String, depth: Int, inFlight: Int, consumers: Int) {
            self.name = name
            self.depth = depth
            self.inFlight = inFlight
            self.consumers = consumers
        }
    }

    public struct Message: Codable, Sendable, Equatable {
        public var id: UInt64?
        public var destination: String
        /// The body as text when it is UTF-8, else null (see `payloadBase64`).
        public var payload: String?
        public var payloadBase64: String
        public var persistent: Bool
        public var priority: Int
        public var redeliveryCount: Int
        public var expiresAt: Int64?
        public var properties: [String: String]

        public init(id: UInt64?, destination: String, payload: String?, payloadBase64: String, persistent: Bool, priority: Int,
                    redeliveryCount: Int, expiresAt: Int64?, properties: [String: String]) {
            self.id = id
            self.destination = destination
            self.payload = payload
            self.payloadBase64 = payloadBase64
            self.persistent = persistent
            self.priority = priority
            self.redeliveryCount = redeliveryCount
            self.expiresAt = expiresAt
            self.properties = properties
        }
    }

    public struct Retained: Codable, Sendable, Equatable {
        public var topic: String
        public var qos: Int
        public var bytes: Int
        public var payload: String?
        public var expiresAt: Int64?

        public init(topic: String, qos: Int, bytes: Int, payload: String?, expiresAt: Int64?) {
            self.topic = topic
            self.qos = qos
            self.bytes = bytes
            self.payload = payload
            self.expiresAt = expiresAt
        }
    }

    public struct Topic: Codable, Sendable, Equatable {
        public var filter: String
        public var subscribers: Int

        public init(filter: String, subscribers: Int) {
            self.filter = filter
            self.subscribers = subscribers
        }
    }

    public struct Bridge: Codable, Sendable, Equatable {
        public var name: String
        public var connected: Bool
        public var connectedAddress: String?
        public var backlogMessages: Int
        public var backlogBytes: Int
        public var forwarded: Int
        public var dropped: Int
        public var deadLettered: Int
        public var paused: Bool

        public init(name: String, connected: Bool, connectedAddress: String?, backlogMessages: Int, backlogBytes: Int, forwarded: Int,
                    dropped: Int, deadLettered: Int, paused: Bool) {
            self.name = name
            self.connected = connected
            self.connectedAddress = connectedAddress
            self.backlogMessages = backlogMessages
            self.backlogBytes = backlogBytes
            self.forwarded = forwarded
            self.dropped = dropped
            self.deadLettered = deadLettered
            self.paused = paused
        }
    }

    public struct Purged: Codable, Sendable, Equatable {
        public var purged: Int
        public init(purged: Int) { self.purged = purged }
    }

    public struct Moved: Codable, Sendable, Equatable {
        public var moved: Int
        public init(moved: Int) { self.moved = moved }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var error: String
        public init(error: String) { self.error = error }
    }
}
