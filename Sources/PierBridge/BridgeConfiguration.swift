import PierAMQP
import PierCore

/// One bridge: where to connect, what to forward up, what to carry down, and how much to buffer.
public struct BridgeConfiguration: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    /// TLS for the uplink (amqps): trust roots, optional client certificate, verification, server name.
    public typealias TLS = AMQPTLSConfiguration

    public struct Uplink: Sendable, Equatable {
        /// In order of preference: the first is the active broker, the rest standbys.
        public var addresses: [Endpoint]
        public var username: String?
        public var password: String?
        public var containerID: String
        /// nil connects in plain TCP.
        public var tls: TLS?
        public var reconnectInitialDelayMillis: Int
        public var reconnectMaxDelayMillis: Int
        /// Fraction of each backoff delay added at random, so gateways don't reconnect in lockstep.
        public var jitter: Double
        /// Seconds the first address must stay reachable before the bridge moves back to it.
        public var failbackAfterSeconds: Int

        public init(addresses: [Endpoint], username: String? = nil, password: String? = nil, containerID: String = "pier",
                    tls: TLS? = nil, reconnectInitialDelayMillis: Int = 500, reconnectMaxDelayMillis: Int = 30_000,
                    jitter: Double = 0.2, failbackAfterSeconds: Int = 60) {
            self.addresses = addresses
            self.username = username
            self.password = password
            self.containerID = containerID
            self.tls = tls
            self.reconnectInitialDelayMillis = reconnectInitialDelayMillis
            self.reconnectMaxDelayMillis = reconnectMaxDelayMillis
            self.jitter = jitter
            self.failbackAfterSeconds = failbackAfterSeconds
        }
    }

    /// Local topics matching `filter` go to the upstream address rendered from `address`.
    public struct ForwardRule: Sendable, Equatable {
        public var filter: String
        /// `{1}`, `{2}`… are the levels matched by the filter's wildcards, in order; `{#}` is what `#` matched.
        public var address: String
        /// Overrides the publish QoS for the decision to store the message (QoS 0 is forwarded durably when
        /// `durable` is true).
        public var qos: QoS?
        /// Store matching messages in the log even at QoS 0, so they survive an uplink outage and a restart.
        public var durable: Bool
        /// Forward retained publishes too (remapped like any other).
        public var retained: Bool

        public init(filter: String, address: String, qos: QoS? = nil, durable: Bool = true, retained: Bool = true) {
            self.filter = filter
            self.address = address
            self.qos = qos
            self.durable = durable
            self.retained = retained
        }
    }

    /// Messages arriving on an upstream address become local publishes on `topic`.
    public struct DownstreamRule: Sendable, Equatable {
        public var address: String
        /// `{subject}` is replaced by the AMQP subject of each message.
        public var topic: String
        public var qos: QoS

        public init(address: String, topic: String, qos: QoS = .atLeastOnce) {
            self.address = address
            self.topic = topic
            self.qos = qos
        }
    }

    public enum OverflowPolicy: String, Sendable, Equatable, CaseIterable {
        case blockPublishers = "block-publishers"
        case dropOldest = "drop-oldest"
        case dropNewest = "drop-newest"
    }

    public struct Buffer: Sendable, Equatable {
        public var maxMessages: Int
        public var maxBytes: Int
        public var overflow: OverflowPolicy

        public init(maxMessages: Int = 1_000_000, maxBytes: Int = 1 << 30, overflow: OverflowPolicy = .dropOldest) {
            self.maxMessages = maxMessages
            self.maxBytes = maxBytes
            self.overflow = overflow
        }
    }

    public var name: String
    public var uplink: Uplink
    public var forward: [ForwardRule]
    public var downstream: [DownstreamRule]
    public var buffer: Buffer
    /// Messages per second while a backlog drains, leaving room for live traffic; 0 means unpaced.
    public var drainRate: Int
    /// Unsettled transfers at once.
    public var window: Int
    /// Where messages the upstream rejected are published locally.
    public var deadLetterTopic: String

    public init(name: String, uplink: Uplink, forward: [ForwardRule] = [], downstream: [DownstreamRule] = [],
                buffer: Buffer = Buffer(), drainRate: Int = 0, window: Int = 500, deadLetterTopic: String? = nil) {
        self.name = name
        self.uplink = uplink
        self.forward = forward
        self.downstream = downstream
        self.buffer = buffer
        self.drainRate = drainRate
        self.window = window
        self.deadLetterTopic = deadLetterTopic ?? "$SYS/broker/bridge/\(name)/dead-letter"
    }
}
