import CLZ4
import NIOCore

/// A decoded batch: its header and its records, in offset order (record i has offset
/// `header.baseOffset + i`). Records are slices of one inflated buffer, so decoding a batch costs
/// one allocation however many records it holds.
public struct RecordBatch: Sendable {
    public var header: RecordBatchHeader
    public var records: [ByteBuffer]

    /// Decodes the batch at the start of `bytes` (trailing bytes are ignored).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(RecordBatchError) -> RecordBatch {
        let header = try RecordBatchHeader.precheck(bytes)
        let batch = UnsafeRawBufferPointer(rebasing: bytes[0..<header.totalSize])
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: batch[8...]))
        guard computed == header.crc else { throw .crcMismatch(stored: header.crc, computed: computed) }
        guard header.flags & ~RecordBatchHeader.flagUncompressed == 0 else {
            throw .badHeader("unknown flags \(header.flags)")
        }
        guard batch[10] == 0 && batch[11] == 0 else { throw .badHeader("reserved bytes are not zero") }
        let usize = Int(header.uncompressedSize)
        let csize = Int(header.compressedSize)
        guard usize <= RecordBatchHeader.maxUncompressedSize else {
            throw .badHeader("uncompressed size \(usize) exceeds \(RecordBatchHeader.maxUncompressedSize)")
        }
        guard header.baseOffset <= UInt64.max - UInt64(header.recordCount) else {
            throw .badHeader("offsets overflow")
        }
        // Every record takes at least its one-byte length prefix.
        guard Int(header.recordCount) <= usize else {
            throw .recordCountMismatch(header: header.recordCount, found: usize)
        }
        let src = UnsafeRawBufferPointer(rebasing: batch[RecordBatchHeader.size...])
        var payload = allocator.buffer(capacity: usize)
        if header.isCompressed {
            // LZ4 cannot inflate by more than 255x; checking first keeps a forged size from allocating.
            guard usize > 0, usize <= csize * 255 + 16 else { throw .badCompressedBlock }
            let n = payload.writeWithUnsafeMutableBytes(minimumWritableBytes: usize) { dst -> Int in
                let r = LZ4_decompress_safe(
                    src.baseAddress!.assumingMemoryBound(to: CChar.self),
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(csize), Int32(usize))
                return r == Int32(usize) ? usize : 0
            }
            guard n == usize else { throw .badCompressedBlock }
        } else {
            guard csize == usize else {
                throw .badHeader("uncompressed payload of \(csize) bytes claims \(usize) bytes")
            }
            payload.writeBytes(src)
        }
        let records = try parseRecords(payload, expected: header.recordCount)
        return RecordBatch(header: header, records: records)
    }

    public static func decode(_ bytes: [UInt8]) throws(RecordBatchError) -> RecordBatch {
        let result = bytes.withUnsafeBytes { p in Result { () throws(RecordBatchError) in try decode(p) } }
        return try result.get()
    }

    /// Decodes the batch at `buffer`'s reader index and moves past it; on error the buffer is unchanged.
    public static func decode(_ buffer: inout ByteBuffer) throws(RecordBatchError) -> RecordBatch {
        let result = buffer.withUnsafeReadableBytes { p in Result { () throws(RecordBatchError) in try decode(p) } }
        let batch = try result.get()
        buffer.moveReaderIndex(forwardBy: batch.header.totalSize)
        return batch
    }

    /// Encodes one batch; a convenience for tests and tools (the log uses `RecordBatchEncoder` directly).
    public static func encode(
        _ records: [[UInt8]], baseOffset: UInt64, firstTimestamp: Int64 = 0, lastTimestamp: Int64 = 0
    ) -> [UInt8] {
        var encoder = RecordBatchEncoder()
        for r in records { encoder.append(r) }
        var out = ByteBufferAllocator().buffer(capacity: encoder.payloadSize + RecordBatchHeader.size + 64)
        encoder.finish(baseOffset: baseOffset, firstTimestamp: firstTimestamp, lastTimestamp: lastTimestamp, into: &out)
        return out.readBytes(length: out.readableBytes) ?? []
    }

    private static func parseRecords(_ payload: ByteBuffer, expected: UInt32) throws(RecordBatchError) -> [ByteBuffer] {
        let base = payload.readerIndex
        // (start, length) pairs first, slices after: slicing needs the buffer, not a raw pointer.
        let parsed: Result<[(Int, Int)], RecordBatchError> = payload.withUnsafeReadableBytes { p in
            var spans: [(Int, Int)] = []
            spans.reserveCapacity(Int(expected))
            var i = 0
            while i < p.count {
                guard spans.count < Int(expected), let (len, size) = Varint.read(p, at: i),
                      Int(len) <= p.count - i - size
                else { return .failure(.recordCountMismatch(header: expected, found: spans.count)) }
                spans.append((i + size, Int(len)))
                i += size + Int(len)
            }
            guard spans.count == Int(expected) else {
                return .failure(.recordCountMismatch(header: expected, found: spans.count))
            }
            return .success(spans)
        }
        let spans = try parsed.get()
        var records: [ByteBuffer] = []
        records.reserveCapacity(spans.count)
        for (start, len) in spans {
            guard let slice = payload.getSlice(at: base + start, length: len) else {
                throw .recordCountMismatch(header: expected, found: records.count)
            }
            records.append(slice)
        }
        return records
    }
}
