/// `flow` (0x13): session windows, and with a handle also one link's credit.
public struct AMQPFlow: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x13
    public static let descriptorName = "amqp:flow:list"

    public var nextIncomingID: UInt32?
    public var incomingWindow: UInt32
    public var nextOutgoingID: UInt32
    public var outgoingWindow: UInt32
    public var handle: UInt32?
    public var deliveryCount: UInt32?
    public var linkCredit: UInt32?
    public var available: UInt32?
    public var drain = false
    public var echo = false
    public var properties: AMQPMap?

    public init(nextIncomingID: UInt32?, incomingWindow: UInt32, nextOutgoingID: UInt32, outgoingWindow: UInt32,
                handle: UInt32? = nil, deliveryCount: UInt32? = nil, linkCredit: UInt32? = nil, available: UInt32? = nil,
                drain: Bool = false, echo: Bool = false) {
        self.nextIncomingID = nextIncomingID
        self.incomingWindow = incomingWindow
        self.nextOutgoingID = nextOutgoingID
        self.outgoingWindow = outgoingWindow
        self.handle = handle
        self.deliveryCount = deliveryCount
        self.linkCredit = linkCredit
        self.available = available
        self.drain = drain
        self.echo = echo
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        nextIncomingID = try fields.uint(0, "next-incoming-id")
        incomingWindow = try fields.required(fields.uint(1, "incoming-window"), "incoming-window")
        nextOutgoingID = try fields.required(fields.uint(2, "next-outgoing-id"), "next-outgoing-id")
        outgoingWindow = try fields.required(fields.uint(3, "outgoing-window"), "outgoing-window")
        handle = try fields.uint(4, "handle")
        deliveryCount = try fields.uint(5, "delivery-count")
        linkCredit = try fields.uint(6, "link-credit")
        available = try fields.uint(7, "available")
        drain = try fields.bool(8, "drain") ?? false
        echo = try fields.bool(9, "echo") ?? false
        properties = try fields.map(10, "properties")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(nextIncomingID)
        fields.append(incomingWindow)
        fields.append(nextOutgoingID)
        fields.append(outgoingWindow)
        fields.append(handle)
        fields.append(deliveryCount)
        fields.append(linkCredit)
        fields.append(available)
        fields.append(drain, default: false)
        fields.append(echo, default: false)
        fields.append(properties)
    }
}
