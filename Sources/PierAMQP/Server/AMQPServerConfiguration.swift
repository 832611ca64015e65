/// What a server connection advertises and enforces.
public struct AMQPServerConfiguration: Sendable {
    public var containerID: String
    /// Largest frame accepted (advertised in open); outgoing frames use the smaller of this and the peer's.
    public var maxFrameSize: UInt32
    public var channelMax: UInt16
    /// Highest link handle a session accepts (advertised in begin).
    public var handleMax: UInt32
    /// Advertised in open: a peer silent this long is closed with `amqp:resource-limit-exceeded`. 0 is off.
    public var idleTimeoutMillis: UInt32
    /// A connection that has not opened within this is closed.
    public var connectTimeoutMillis: Int64
    /// Session incoming window (transfer frames); reopened when half is used.
    public var sessionWindow: UInt32
    /// Credit granted to each client sender; topped up when half is used.
    public var linkCredit: UInt32
    /// Largest message reassembled from a multi-frame delivery.
    public var maxMessageSize: Int
    /// Whether SASL ANONYMOUS is offered (the listener's `allow_anonymous`).
    public var allowAnonymous: Bool
    /// Deliveries held for a client receiver beyond its credit before topic messages are dropped.
    public var maxBufferedDeliveries: Int

    public init(containerID: String = "pier", maxFrameSize: UInt32 = 1 << 20, channelMax: UInt16 = 255, handleMax: UInt32 = 1023,
                idleTimeoutMillis: UInt32 = 60_000, connectTimeoutMillis: Int64 = 10_000, sessionWindow: UInt32 = 2048,
                linkCredit: UInt32 = 500, maxMessageSize: Int = 64 << 20, allowAnonymous: Bool = true,
                maxBufferedDeliveries: Int = 10_000) {
        self.containerID = containerID
        self.maxFrameSize = maxFrameSize
        self.channelMax = channelMax
        self.handleMax = handleMax
        self.idleTimeoutMillis = idleTimeoutMillis
        self.connectTimeoutMillis = connectTimeoutMillis
        self.sessionWindow = sessionWindow
        self.linkCredit = linkCredit
        self.maxMessageSize = maxMessageSize
        self.allowAnonymous = allowAnonymous
        self.maxBufferedDeliveries = maxBufferedDeliveries
    }
}
