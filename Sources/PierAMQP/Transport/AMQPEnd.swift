/// `end` (0x17): ends a session, with the reason if it failed.
public struct AMQPEnd: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x17
    public static let descriptorName = "amqp:end:list"

    public var error: AMQPError?

    public init(error: AMQPError? = nil) {
        self.error = error
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        error = try fields.composite(0, "error", as: AMQPError.self)
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(error)
    }
}
