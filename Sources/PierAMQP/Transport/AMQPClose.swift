/// `close` (0x18): ends the connection, with the reason if it failed.
public struct AMQPClose: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x18
    public static let descriptorName = "amqp:close:list"

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
