/// A front end's own name for one message exchange of a session (MQTT: the packet id). The core stores
/// it and hands it back after a restart; it never reads it.
public struct DeliveryKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static func < (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public var description: String { bytes.map { String($0, radix: 16) }.joined(separator: ":") }
}
