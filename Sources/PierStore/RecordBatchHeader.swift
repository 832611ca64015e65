/// The fixed 48-byte header in front of every batch, little-endian:
///
///     0  magic "PIER"          4
///     4  CRC32C                4   over bytes 8..<end (rest of header + payload)
///     8  format version        1
///     9  flags                 1   bit 0: payload stored uncompressed
///    10  reserved (zero)       2
///    12  base offset           8
///    20  record count          4
///    24  first timestamp (ms)  8
///    32  last timestamp (ms)   8
///    40  uncompressed size     4
///    44  compressed size       4   bytes of payload that follow the header
///
/// The CRC sits right after the magic so that it also covers the version and flags: a flipped
/// "uncompressed" bit must not pass as a valid batch.
public struct RecordBatchHeader: Sendable, Equatable {
    public static let size = 48
    /// "PIER" as it appears on disk.
    public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x50, 0x49, 0x45, 0x52)
    public static let currentVersion: UInt8 = 1
    public static let flagUncompressed: UInt8 = 0x01
    /// Upper bound on a batch's inflated payload. Decoding checks it before allocating, so a
    /// hostile header cannot make us allocate gigabytes.
    public static let maxUncompressedSize = 64 << 20

    public var version: UInt8
    public var flags: UInt8
    public var crc: UInt32
    public var baseOffset: UInt64
    public var recordCount: UInt32
    public var firstTimestamp: Int64
    public var lastTimestamp: Int64
    public var uncompressedSize: UInt32
    public var compressedSize: UInt32

    public var isCompressed: Bool { flags & Self.flagUncompressed == 0 }
    /// Header plus payload: where the next batch starts.
    public var totalSize: Int { Self.size + Int(compressedSize) }
    /// One past the last record's offset.
    public var nextOffset: UInt64 { baseOffset &+ UInt64(recordCount) }

    public init(
        version: UInt8 = RecordBatchHeader.currentVersion, flags: UInt8, crc: UInt32, baseOffset: UInt64,
        recordCount: UInt32, firstTimestamp: Int64, lastTimestamp: Int64, uncompressedSize: UInt32,
        compressedSize: UInt32
    ) {
        self.version = version
        self.flags = flags
        self.crc = crc
        self.baseOffset = baseOffset
        self.recordCount = recordCount
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.uncompressedSize = uncompressedSize
        self.compressedSize = compressedSize
    }

    /// Parses the fields without checking the CRC; `bytes` must hold at least `size` bytes.
    init(unchecked bytes: UnsafeRawBufferPointer) {
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        self.crc = u32(4)
        self.version = bytes[8]
        self.flags = bytes[9]
        self.baseOffset = u64(12)
        self.recordCount = u32(20)
        self.firstTimestamp = Int64(bitPattern: u64(24))
        self.lastTimestamp = Int64(bitPattern: u64(32))
        self.uncompressedSize = u32(40)
        self.compressedSize = u32(44)
    }

    /// Writes the header except the CRC (bytes 4..<8 are left as they are).
    func write(to p: UnsafeMutableRawBufferPointer) {
        p[0] = Self.magic.0
        p[1] = Self.magic.1
        p[2] = Self.magic.2
        p[3] = Self.magic.3
        p[8] = version
        p[9] = flags
        p[10] = 0
        p[11] = 0
        p.storeBytes(of: baseOffset.littleEndian, toByteOffset: 12, as: UInt64.self)
        p.storeBytes(of: recordCount.littleEndian, toByteOffset: 20, as: UInt32.self)
        p.storeBytes(of: UInt64(bitPattern: firstTimestamp).littleEndian, toByteOffset: 24, as: UInt64.self)
        p.storeBytes(of: UInt64(bitPattern: lastTimestamp).littleEndian, toByteOffset: 32, as: UInt64.self)
        p.storeBytes(of: uncompressedSize.littleEndian, toByteOffset: 40, as: UInt32.self)
        p.storeBytes(of: compressedSize.littleEndian, toByteOffset: 44, as: UInt32.self)
    }

    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == magic.0 && bytes[1] == magic.1 && bytes[2] == magic.2 && bytes[3] == magic.3
    }

    /// The checks that need only the header: everything short of CRC and payload.
    /// Returns the batch's total size when `bytes` holds all of it.
    static func precheck(_ bytes: UnsafeRawBufferPointer) throws(RecordBatchError) -> RecordBatchHeader {
        guard bytes.count >= size else { throw .shortHeader(available: bytes.count) }
        guard hasMagic(bytes) else { throw .badMagic }
        let header = RecordBatchHeader(unchecked: bytes)
        guard header.version == currentVersion else { throw .unsupportedVersion(header.version) }
        guard bytes.count >= header.totalSize else {
            throw .truncated(needed: header.totalSize, available: bytes.count)
        }
        return header
    }
}
