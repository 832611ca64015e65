/// The raw 16 bytes of a decimal128 (big-endian halves as on the wire).
public struct AMQPDecimal128: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}
