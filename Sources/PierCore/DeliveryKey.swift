/// A front end's own name for one message exchange of a session (MQTT: the packet id). The core stores
/// it and hands it back after a restart; it never reads it.
public struct DeliveryKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Keys of up to eight bytes (MQTT's two) live inline: a key is made for every delivery, and a heap
    /// array each time showed up in the QoS 1 profile.
    private enum Storage: Hashable, Sendable {
        case inline(UInt64, count: UInt8)
        case heap([UInt8])
    }

    private let storage: Storage

    public init(_ bytes: [UInt8]) {
        if bytes.count <= 8 {
            var v: UInt64 = 0
            for b in bytes { v = v << 8 | UInt64(b) }
            storage = .inline(v, count: UInt8(bytes.count))
        } else {
            storage = .heap(bytes)
        }
    }

    /// The first `count` bytes of `value`'s low end, big-endian: what `init(_:)` makes of them.
    public init(packed value: UInt64, count: Int) {
        precondition(count <= 8)
        storage = .inline(count == 8 ? value : value & ((1 << (8 * UInt64(count))) - 1), count: UInt8(count))
    }

    public var bytes: [UInt8] {
        switch storage {
        case .heap(let b): return b
        case .inline(let v, let count): return (0..<Int(count)).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64(Int(count) - 1 - $0))) }
        }
    }

    /// The packed value of a key of at most eight bytes.
    public var packed: (value: UInt64, count: Int)? {
        if case .inline(let v, let count) = storage { return (v, Int(count)) }
        return nil
    }

    public static func < (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public var description: String { bytes.map { String($0, radix: 16) }.joined(separator: ":") }
}
