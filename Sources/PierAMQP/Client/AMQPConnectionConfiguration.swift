/// What the client asks for in open and how it authenticates.
public struct AMQPConnectionConfiguration: Hashable, Sendable {
    public var containerID: String
    /// The virtual host name sent in open and sasl-init (RabbitMQ maps `vhost:NAME`).
    public var hostname: String?
    /// nil skips the SASL layer entirely (e.g. the proton example broker).
    public var sasl: AMQPSASLCredentials?
    public var maxFrameSize: UInt32
    public var channelMax: UInt16
    /// Milliseconds; 0 disables our idle check. The peer is asked to send at least this often.
    public var idleTimeoutMillis: UInt32
    public var sessionWindow: UInt32
    /// Milliseconds from TCP connect until the session is up (TLS handshake, SASL, open, begin); a
    /// peer that stalls longer fails the connect. 0 waits forever.
    public var openTimeoutMillis: UInt32

    public init(containerID: String, hostname: String? = nil, sasl: AMQPSASLCredentials? = nil,
                maxFrameSize: UInt32 = 65_536, channelMax: UInt16 = 255, idleTimeoutMillis: UInt32 = 60_000,
                sessionWindow: UInt32 = 2048, openTimeoutMillis: UInt32 = 30_000) {
        self.containerID = containerID
        self.hostname = hostname
        self.sasl = sasl
        self.maxFrameSize = max(maxFrameSize, AMQPFrame.minMaxFrameSize)
        self.channelMax = channelMax
        self.idleTimeoutMillis = idleTimeoutMillis
        self.sessionWindow = sessionWindow
        self.openTimeoutMillis = openTimeoutMillis
    }
}
