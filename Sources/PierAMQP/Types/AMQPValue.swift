import NIOCore

/// One AMQP 1.0 value (types part, section 1.6). Integer widths are kept apart because the wire
/// type is part of the meaning: a `ulong` descriptor and a `uint` field are different things.
public indirect enum AMQPValue: Hashable, Sendable {
    case null
    case boolean(Bool)
    case ubyte(UInt8)
    case ushort(UInt16)
    case uint(UInt32)
    case ulong(UInt64)
    case byte(Int8)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    /// IEEE 754 decimals are carried as their raw bits: Pier only forwards them.
    case decimal32(UInt32)
    case decimal64(UInt64)
    case decimal128(AMQPDecimal128)
    case char(Unicode.Scalar)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    case uuid(AMQPUUID)
    case binary(ByteBuffer)
    case string(String)
    case symbol(String)
    case list([AMQPValue])
    case map(AMQPMap)
    /// Every element has the same type; the encoder derives one element constructor from them.
    case array([AMQPValue])
    case described(descriptor: AMQPValue, value: AMQPValue)
}

extension AMQPValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Convenience for building binaries in tests and callers without a ByteBuffer at hand.
    public static func binary(_ bytes: [UInt8]) -> AMQPValue {
        .binary(ByteBuffer(bytes: bytes))
    }

    /// The descriptor code of a described value with a `ulong` descriptor.
    public var descriptorCode: UInt64? {
        if case .described(.ulong(let code), _) = self { return code }
        return nil
    }
}

// No ExpressibleByNilLiteral: `nil` must always mean an absent optional, never `.null` by inference.
extension AMQPValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}
