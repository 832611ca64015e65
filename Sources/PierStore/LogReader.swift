/// Reads committed records in offset order from a starting offset, across segment boundaries.
/// When it reaches the end of what is committed, `next()` returns nil; call it again later to
/// follow the log as it grows. One reader serves one consumer (it is not thread-safe); open as
/// many as needed.
public final class LogReader {
    private let segments: SegmentSet
    private var segment: Segment
    private var scanner: SegmentScanner<FileByteSource>
    private var position: Int64
    private var pending: [LogRecord] = []
    private var pendingIndex = 0
    /// The offset of the record `next()` returns next.
    public private(set) var nextOffset: UInt64

    init(segments: SegmentSet, from offset: UInt64) throws(StoreError) {
        let start = segments.startOffset
        let end = segments.endOffset
        guard offset >= start, offset <= end else {
            throw .offsetOutOfRange(requested: offset, start: start, end: end)
        }
        guard let segment = segments.segment(containing: offset) else {
            throw .offsetOutOfRange(requested: offset, start: start, end: end)
        }
        self.segments = segments
        self.segment = segment
        let (position, size, _) = segment.readStart(for: offset)
        self.position = position
        self.scanner = SegmentScanner(source: FileByteSource(file: segment.file, size: size), end: size, chunkSize: 256 << 10)
        self.nextOffset = offset
    }

    /// The next committed record, or nil when the reader has caught up with the log.
    public func next() throws(StoreError) -> LogRecord? {
        while true {
            if pendingIndex < pending.count {
                let record = pending[pendingIndex]
                pendingIndex += 1
                nextOffset = record.offset + 1
                return record
            }
            guard try loadBatch() else { return nil }
        }
    }

    /// Up to `max` records (fewer when caught up).
    public func next(max: Int) throws(StoreError) -> [LogRecord] {
        var result: [LogRecord] = []
        while result.count < max, let r = try next() { result.append(r) }
        return result
    }

    private func loadBatch() throws(StoreError) -> Bool {
        pending.removeAll(keepingCapacity: true)
        pendingIndex = 0
        while true {
            let (size, segmentEnd) = segment.committedExtent()
            if position < size {
                scanner.end = size
                switch try scanner.batch(at: position) {
                case .success(let batch)?:
                    position += Int64(batch.header.totalSize)
                    let h = batch.header
                    guard h.nextOffset > nextOffset else { continue }
                    let skip = nextOffset > h.baseOffset ? Int(nextOffset - h.baseOffset) : 0
                    for i in skip..<batch.records.count {
                        pending.append(LogRecord(
                            offset: h.baseOffset + UInt64(i), batchTimestamp: h.lastTimestamp, payload: batch.records[i]))
                    }
                    if !pending.isEmpty { return true }
                case .failure(let error)?:
                    throw .corruption(segment: segment.name, position: position, reason: error.description)
                case nil:
                    return false
                }
            } else if nextOffset >= segmentEnd, let following = segments.segment(after: segment) {
                segment = following
                position = 0
                let size = following.committedExtent().size
                scanner = SegmentScanner(source: FileByteSource(file: following.file, size: size), end: size, chunkSize: 256 << 10)
            } else {
                return false
            }
        }
    }
}
