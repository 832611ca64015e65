/// The small CRC'd envelope shared by checkpoint and cursor files:
///
///     0  magic      4
///     4  CRC32C     4   over bytes 8..<end
///     8  version    1
///     9  reserved   3
///    12  body       ...
enum FileCodec {
    static let headerSize = 12

    static func encode(magic: [UInt8], body: [UInt8]) -> [UInt8] {
        var bytes = magic + [0, 0, 0, 0, 1, 0, 0, 0] + body
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self) }
        return bytes
    }

    /// The body, or why the file is not valid.
    static func decode(magic: [UInt8], _ bytes: [UInt8]) -> Result<ArraySlice<UInt8>, FileDamage> {
        guard bytes.count >= headerSize else { return .failure("short file (\(bytes.count) bytes)") }
        guard Array(bytes[0..<4]) == magic else { return .failure("bad magic") }
        let stored = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }
        let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        guard stored == computed else { return .failure("CRC mismatch (stored \(hex(stored)), computed \(hex(computed)))") }
        guard bytes[8] == 1 else { return .failure("unsupported version \(bytes[8])") }
        return .success(bytes[headerSize...])
    }

    static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    static func readU64(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt64? {
        let start = bytes.startIndex + offset
        guard offset >= 0, start + 8 <= bytes.endIndex else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        return v
    }
}

/// Why a checkpoint or cursor file was rejected.
struct FileDamage: Error, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    init(stringLiteral value: String) { description = value }
}
