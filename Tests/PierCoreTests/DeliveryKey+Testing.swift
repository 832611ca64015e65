import PierCore

extension DeliveryKey {
    /// A two-byte key, as MQTT makes them from packet ids.
    static func k(_ n: UInt16) -> DeliveryKey { DeliveryKey([UInt8(n >> 8), UInt8(n & 0xFF)]) }
}
