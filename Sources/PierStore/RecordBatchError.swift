/// Why bytes are not a valid record batch. Decoding reports these and never traps, whatever the input.
public enum RecordBatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than a batch header.
    case shortHeader(available: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    /// The header claims more bytes than are present.
    case truncated(needed: Int, available: Int)
    case crcMismatch(stored: UInt32, computed: UInt32)
    /// The checksum matches but a header field is impossible (sizes, flags, offsets).
    case badHeader(String)
    /// LZ4 rejected the block, or it did not inflate to the size the header claims.
    case badCompressedBlock
    /// The payload does not hold exactly the number of well-formed records the header claims.
    case recordCountMismatch(header: UInt32, found: Int)

    public var description: String {
        switch self {
        case let .shortHeader(available):
            return "short header (\(available) of \(RecordBatchHeader.size) bytes)"
        case .badMagic:
            return "bad magic (not a record batch)"
        case let .unsupportedVersion(v):
            return "unsupported batch format version \(v)"
        case let .truncated(needed, available):
            return "truncated batch (\(available) of \(needed) bytes)"
        case let .crcMismatch(stored, computed):
            return "CRC mismatch (stored \(hex(stored)), computed \(hex(computed)))"
        case let .badHeader(reason):
            return "bad header: \(reason)"
        case .badCompressedBlock:
            return "bad LZ4 block"
        case let .recordCountMismatch(header, found):
            return "record count mismatch (header says \(header), payload holds \(found))"
        }
    }
}

func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
