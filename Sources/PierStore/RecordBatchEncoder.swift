import CLZ4
import NIOCore

/// Accumulates records and writes them out as one batch. The log's writer keeps one and reuses
/// its payload buffer, so steady-state appends allocate nothing here.
public struct RecordBatchEncoder {
    private var payload: ByteBuffer
    public private(set) var recordCount: Int = 0

    public init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        payload = allocator.buffer(capacity: 64 * 1024)
    }

    /// Bytes the records take uncompressed, length prefixes included.
    public var payloadSize: Int { payload.readableBytes }

    public mutating func append(_ record: UnsafeRawBufferPointer) {
        let count = record.count
        payload.writeWithUnsafeMutableBytes(minimumWritableBytes: count + 5) { dst in
            let n = Varint.write(UInt32(truncatingIfNeeded: count), to: dst.baseAddress!)
            if count > 0 { (dst.baseAddress! + n).copyMemory(from: record.baseAddress!, byteCount: count) }
            return n + count
        }
        recordCount += 1
    }

    public mutating func append(_ record: [UInt8]) {
        record.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ record: ByteBuffer) {
        record.withUnsafeReadableBytes { append($0) }
    }

    /// Appends the finished batch to `out`, resets for the next batch, and returns the header.
    /// The payload is LZ4-compressed unless that would not make it smaller.
    @discardableResult
    public mutating func finish(
        baseOffset: UInt64, firstTimestamp: Int64, lastTimestamp: Int64, into out: inout ByteBuffer
    ) -> RecordBatchHeader {
        let start = out.writerIndex
        out.writeRepeatingByte(0, count: RecordBatchHeader.size)
        let usize = payload.readableBytes
        var compressed = 0
        if usize > 0 {
            let bound = Int(LZ4_compressBound(Int32(usize)))
            _ = payload.withUnsafeReadableBytes { src in
                out.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { dst in
                    let n = Int(LZ4_compress_default(
                        src.baseAddress!.assumingMemoryBound(to: CChar.self),
                        dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                        Int32(usize), Int32(min(dst.count, Int(Int32.max)))))
                    compressed = n > 0 && n < usize ? n : 0
                    return compressed
                }
            }
        }
        let flags: UInt8
        if compressed == 0 {
            flags = RecordBatchHeader.flagUncompressed
            out.writeImmutableBuffer(payload)
        } else {
            flags = 0
        }
        var header = RecordBatchHeader(
            flags: flags, crc: 0, baseOffset: baseOffset, recordCount: UInt32(recordCount),
            firstTimestamp: firstTimestamp, lastTimestamp: lastTimestamp, uncompressedSize: UInt32(usize),
            compressedSize: UInt32(compressed == 0 ? usize : compressed))
        let offset = start - out.readerIndex
        let total = header.totalSize
        header.crc = out.withUnsafeMutableReadableBytes { all in
            let batch = UnsafeMutableRawBufferPointer(rebasing: all[offset..<offset + total])
            header.write(to: batch)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: batch[8...]))
            batch.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
            return crc
        }
        payload.clear()
        recordCount = 0
        return header
    }
}
