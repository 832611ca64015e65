import NIOCore

/// The body of a message: data sections (opaque bytes), amqp-sequence sections, or one amqp-value.
public enum AMQPMessageBody: Hashable, Sendable {
    case data([ByteBuffer])
    case sequence([[AMQPValue]])
    case value(AMQPValue)

    /// All data sections joined; nil for other bodies.
    public var bytes: ByteBuffer? {
        guard case .data(let sections) = self else { return nil }
        if sections.count == 1 { return sections[0] }
        var joined = ByteBuffer()
        for var section in sections { joined.writeBuffer(&section) }
        return joined
    }
}
