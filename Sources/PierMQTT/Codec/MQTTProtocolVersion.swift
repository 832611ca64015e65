/// The protocol level byte of CONNECT.
public enum MQTTProtocolVersion: UInt8, Sendable, Comparable {
    case v3_1 = 3
    case v3_1_1 = 4
    case v5 = 5

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
