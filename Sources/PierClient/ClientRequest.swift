import NIOCore

/// What `pier pub` or `pier sub` asks of a broker, over MQTT or STOMP.
public struct ClientRequest: Sendable {
    public enum Action: Sendable {
        /// Send each message to the destination, then disconnect once the broker has acknowledged them all.
        case publish([ByteBuffer], retain: Bool)
        /// Print what arrives until `count` messages have (nil: until interrupted).
        case subscribe(count: Int?)
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var clientID: String
    /// An MQTT topic (filter), or a STOMP destination such as `/queue/jobs`.
    public var destination: String
    /// MQTT QoS; for STOMP, anything above 0 makes sends persistent and subscriptions client-acknowledged.
    public var qos: UInt8
    public var action: Action
    /// Print each message's topic or destination before its body.
    public var verbose: Bool

    public init(host: String, port: Int, username: String?, password: String?, clientID: String,
                destination: String, qos: UInt8, action: Action, verbose: Bool) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.clientID = clientID
        self.destination = destination
        self.qos = qos
        self.action = action
        self.verbose = verbose
    }
}

/// Why a client run ended without doing what was asked, in words for the terminal.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
