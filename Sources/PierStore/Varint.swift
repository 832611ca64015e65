/// Unsigned LEB128, the record length prefix inside a batch: one byte for records under 128 bytes,
/// which is most MQTT telemetry.
enum Varint {
    static func size(_ value: UInt32) -> Int {
        value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5
    }

    /// Writes at `p` and returns the bytes used; `p` must have room for 5.
    @inline(__always)
    static func write(_ value: UInt32, to p: UnsafeMutableRawPointer) -> Int {
        var v = value
        var i = 0
        while v >= 0x80 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: i, as: UInt8.self)
            v >>= 7
            i += 1
        }
        p.storeBytes(of: UInt8(v), toByteOffset: i, as: UInt8.self)
        return i + 1
    }

    /// Reads from `bytes[at...]`; nil when the varint runs off the end or exceeds 32 bits.
    @inline(__always)
    static func read(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (value: UInt32, size: Int)? {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        var i = index
        while i < bytes.count && i - index < 5 {
            let b = bytes[i]
            if shift == 28 && b > 0x0F { return nil }
            result |= UInt32(b & 0x7F) << shift
            i += 1
            if b & 0x80 == 0 { return (result, i - index) }
            shift += 7
        }
        return nil
    }
}
