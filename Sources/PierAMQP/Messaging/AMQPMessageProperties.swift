import NIOCore

/// The `properties` section (0x73): immutable application-facing properties of a message.
public struct AMQPMessageProperties: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x73
    public static let descriptorName = "amqp:properties:list"

    /// ulong, uuid, binary or string.
    public var messageID: AMQPValue?
    public var userID: ByteBuffer?
    public var to: String?
    public var subject: String?
    public var replyTo: String?
    public var correlationID: AMQPValue?
    public var contentType: String?
    public var contentEncoding: String?
    public var absoluteExpiryTime: Int64?
    public var creationTime: Int64?
    public var groupID: String?
    public var groupSequence: UInt32?
    public var replyToGroupID: String?

    public init(messageID: AMQPValue? = nil, to: String? = nil, subject: String? = nil, replyTo: String? = nil,
                correlationID: AMQPValue? = nil, contentType: String? = nil, creationTime: Int64? = nil) {
        self.messageID = messageID
        self.to = to
        self.subject = subject
        self.replyTo = replyTo
        self.correlationID = correlationID
        self.contentType = contentType
        self.creationTime = creationTime
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        messageID = fields.value(0)
        userID = try fields.binary(1, "user-id")
        to = try fields.string(2, "to")
        subject = try fields.string(3, "subject")
        replyTo = try fields.string(4, "reply-to")
        correlationID = fields.value(5)
        contentType = try fields.symbol(6, "content-type")
        contentEncoding = try fields.symbol(7, "content-encoding")
        absoluteExpiryTime = try fields.timestamp(8, "absolute-expiry-time")
        creationTime = try fields.timestamp(9, "creation-time")
        groupID = try fields.string(10, "group-id")
        groupSequence = try fields.uint(11, "group-sequence")
        replyToGroupID = try fields.string(12, "reply-to-group-id")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(messageID)
        fields.append(userID)
        fields.append(to)
        fields.append(subject)
        fields.append(replyTo)
        fields.append(correlationID)
        fields.append(symbol: contentType)
        fields.append(symbol: contentEncoding)
        fields.append(absoluteExpiryTime.map(AMQPValue.timestamp))
        fields.append(creationTime.map(AMQPValue.timestamp))
        fields.append(groupID)
        fields.append(groupSequence)
        fields.append(replyToGroupID)
    }
}
