/// `open` (0x10): the connection's parameters, sent once by each side.
public struct AMQPOpen: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x10
    public static let descriptorName = "amqp:open:list"

    public var containerID: String
    public var hostname: String?
    public var maxFrameSize: UInt32 = .max
    public var channelMax: UInt16 = .max
    /// Milliseconds; the sender closes the connection if nothing arrives for this long.
    public var idleTimeOut: UInt32?
    public var outgoingLocales: [String] = []
    public var incomingLocales: [String] = []
    public var offeredCapabilities: [String] = []
    public var desiredCapabilities: [String] = []
    public var properties: AMQPMap?

    public init(containerID: String, hostname: String? = nil, maxFrameSize: UInt32 = .max, channelMax: UInt16 = .max,
                idleTimeOut: UInt32? = nil) {
        self.containerID = containerID
        self.hostname = hostname
        self.maxFrameSize = maxFrameSize
        self.channelMax = channelMax
        self.idleTimeOut = idleTimeOut
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        containerID = try fields.required(fields.string(0, "container-id"), "container-id")
        hostname = try fields.string(1, "hostname")
        maxFrameSize = try fields.uint(2, "max-frame-size") ?? .max
        channelMax = try fields.ushort(3, "channel-max") ?? .max
        idleTimeOut = try fields.uint(4, "idle-time-out")
        outgoingLocales = try fields.symbols(5, "outgoing-locales")
        incomingLocales = try fields.symbols(6, "incoming-locales")
        offeredCapabilities = try fields.symbols(7, "offered-capabilities")
        desiredCapabilities = try fields.symbols(8, "desired-capabilities")
        properties = try fields.map(9, "properties")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(containerID)
        fields.append(hostname)
        fields.append(maxFrameSize == .max ? nil : maxFrameSize)
        fields.append(channelMax == .max ? nil : channelMax)
        fields.append(idleTimeOut)
        fields.append(symbols: outgoingLocales)
        fields.append(symbols: incomingLocales)
        fields.append(symbols: offeredCapabilities)
        fields.append(symbols: desiredCapabilities)
        fields.append(properties)
    }
}
