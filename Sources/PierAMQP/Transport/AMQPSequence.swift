/// RFC 1982 serial number arithmetic for delivery counts, delivery ids and transfer ids, which wrap at 2^32.
enum AMQPSequence {
    /// Whether `value` lies in the inclusive range `first...last` of a wrapping sequence.
    static func contains(_ value: UInt32, first: UInt32, last: UInt32) -> Bool {
        value &- first <= last &- first
    }
}
