/// `begin` (0x11): starts a session on a channel; the reply names our channel in `remoteChannel`.
public struct AMQPBegin: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x11
    public static let descriptorName = "amqp:begin:list"

    public var remoteChannel: UInt16?
    public var nextOutgoingID: UInt32
    public var incomingWindow: UInt32
    public var outgoingWindow: UInt32
    public var handleMax: UInt32 = .max
    public var offeredCapabilities: [String] = []
    public var desiredCapabilities: [String] = []
    public var properties: AMQPMap?

    public init(remoteChannel: UInt16? = nil, nextOutgoingID: UInt32, incomingWindow: UInt32, outgoingWindow: UInt32,
                handleMax: UInt32 = .max) {
        self.remoteChannel = remoteChannel
        self.nextOutgoingID = nextOutgoingID
        self.incomingWindow = incomingWindow
        self.outgoingWindow = outgoingWindow
        self.handleMax = handleMax
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        remoteChannel = try fields.ushort(0, "remote-channel")
        nextOutgoingID = try fields.required(fields.uint(1, "next-outgoing-id"), "next-outgoing-id")
        incomingWindow = try fields.required(fields.uint(2, "incoming-window"), "incoming-window")
        outgoingWindow = try fields.required(fields.uint(3, "outgoing-window"), "outgoing-window")
        handleMax = try fields.uint(4, "handle-max") ?? .max
        offeredCapabilities = try fields.symbols(5, "offered-capabilities")
        desiredCapabilities = try fields.symbols(6, "desired-capabilities")
        properties = try fields.map(7, "properties")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(remoteChannel)
        fields.append(nextOutgoingID)
        fields.append(incomingWindow)
        fields.append(outgoingWindow)
        fields.append(handleMax == .max ? nil : handleMax)
        fields.append(symbols: offeredCapabilities)
        fields.append(symbols: desiredCapabilities)
        fields.append(properties)
    }
}
