/// `detach` (0x16): ends one link end; `closed` false only suspends it.
public struct AMQPDetach: AMQPComposite {
    public static let descriptorCode: UInt64 = 0x16
    public static let descriptorName = "amqp:detach:list"

    public var handle: UInt32
    public var closed = false
    public var error: AMQPError?

    public init(handle: UInt32, closed: Bool = false, error: AMQPError? = nil) {
        self.handle = handle
        self.closed = closed
        self.error = error
    }

    public init(fields: AMQPFieldReader) throws(AMQPDecodeError) {
        handle = try fields.required(fields.uint(0, "handle"), "handle")
        closed = try fields.bool(1, "closed") ?? false
        error = try fields.composite(2, "error", as: AMQPError.self)
    }

    public func writeFields(into fields: inout AMQPFieldWriter) {
        fields.append(handle)
        fields.append(closed, default: false)
        fields.append(error)
    }
}
