/// The `error` composite (0x1d) carried by close, end, detach and rejected. It is also a Swift
/// error so a rejected delivery or a remote close can fail a future with exactly what the peer said.
public struct AMQPError: AMQPComposite, Error, CustomStringConvertible {
    public static let descriptorCode: UInt64 = 0x1D
    public static let descriptorName = "amqp:error:list"

    public var condition: String
    public var errorDescription: String?
    public var info: AMQPMap?

    public init(condition: String, description: String? = nil, info: AMQPMap? = nil) {
        self.condition = condition
        self.errorDescription = description
        self.info = info
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        condition = try fields.required(fields.symbol(0, "condition"), "condition")
        errorDescription = try fields.string(1, "description")
        info = try fields.map(2, "info")
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(symbol: condition)
        fields.append(errorDescription)
        fields.append(info)
    }

    public var description: String {
        errorDescription.map { "\(condition): \($0)" } ?? condition
    }

    // Conditions Pier raises itself.
    public static let internalError = "amqp:internal-error"
    public static let decodeError = "amqp:decode-error"
    public static let notFound = "amqp:not-found"
    public static let unauthorizedAccess = "amqp:unauthorized-access"
    public static let resourceLimitExceeded = "amqp:resource-limit-exceeded"
    public static let frameSizeTooSmall = "amqp:frame-size-too-small"
    public static let connectionForced = "amqp:connection:forced"
    public static let framingError = "amqp:connection:framing-error"
    public static let unattachedHandle = "amqp:session:unattached-handle"
    public static let windowViolation = "amqp:session:window-violation"
    public static let detachForced = "amqp:link:detach-forced"
    public static let transferLimitExceeded = "amqp:link:transfer-limit-exceeded"
    public static let invalidField = "amqp:invalid-field"
    public static let notAllowed = "amqp:not-allowed"
}
