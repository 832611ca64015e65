import NIOCore

/// Reads the batches of one segment in order through a read-ahead window, so scanning costs one
/// `pread` per megabyte rather than two per batch. Recovery, readers, `verify` and the fuzz
/// target all go through it, so they agree on what a valid segment is.
public struct SegmentScanner<Source: SegmentByteSource> {
    public let source: Source
    /// Bytes beyond this are not looked at (a reader sets it to the committed size).
    public var end: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private var windowCount = 0
    private let chunkSize: Int
    private let allocator = ByteBufferAllocator()

    public init(source: Source, end: Int64? = nil, chunkSize: Int = 1 << 20) {
        self.source = source
        self.end = end ?? source.size
        self.chunkSize = max(chunkSize, RecordBatchHeader.size)
    }

    /// Makes `[position, position + count)` resident as far as `end` allows; returns how many
    /// of those bytes are available.
    private mutating func ensure(_ position: Int64, _ count: Int) throws(StoreError) -> Int {
        let wanted = Int(min(Int64(count), max(0, end - position)))
        if position >= windowStart && position + Int64(wanted) <= windowStart + Int64(windowCount) {
            return wanted
        }
        let readSize = Int(min(Int64(max(wanted, chunkSize)), max(0, end - position)))
        if window.count < readSize { window = [UInt8](repeating: 0, count: readSize) }
        let src = source
        let r = window.withUnsafeMutableBytes { p in
            Result { () throws(StoreError) in
                try src.read(into: UnsafeMutableRawBufferPointer(rebasing: p[0..<readSize]), at: position)
            }
        }
        windowStart = position
        windowCount = try r.get()
        return min(wanted, windowCount)
    }

    /// The batch at `position`, decoded or with the reason it is not valid; nil at `end`.
    public mutating func batch(at position: Int64) throws(StoreError) -> Result<RecordBatch, RecordBatchError>? {
        guard position < end else { return nil }
        var available = try ensure(position, RecordBatchHeader.size)
        if available >= RecordBatchHeader.size {
            let rel = Int(position - windowStart)
            let total = window.withUnsafeBytes { p -> Int? in
                let h = UnsafeRawBufferPointer(rebasing: p[rel..<rel + RecordBatchHeader.size])
                return RecordBatchHeader.hasMagic(h) ? RecordBatchHeader(unchecked: h).totalSize : nil
            }
            if let total { available = try ensure(position, total) }
        }
        let rel = Int(position - windowStart)
        let allocator = self.allocator
        return window.withUnsafeBytes { p in
            Result { () throws(RecordBatchError) in
                try RecordBatch.decode(UnsafeRawBufferPointer(rebasing: p[rel..<rel + available]), allocator: allocator)
            }
        }
    }

    /// Whether a valid batch starting at or above `minOffset` begins anywhere after `position`.
    /// A bad batch followed by nothing valid is a torn write; followed by valid data it is damage.
    public mutating func validBatchExists(after position: Int64, minOffset: UInt64) throws(StoreError) -> Bool {
        var q = position + 1
        while q + Int64(RecordBatchHeader.size) <= end {
            let available = try ensure(q, chunkSize)
            guard available >= 4 else { return false }
            let rel = Int(q - windowStart)
            let hit = window.withUnsafeBytes { p -> Int? in
                var i = rel
                while i + 4 <= rel + available {
                    if RecordBatchHeader.hasMagic(UnsafeRawBufferPointer(rebasing: p[i..<i + 4])) { return i - rel }
                    i += 1
                }
                return nil
            }
            guard let hit else {
                // Overlap by three bytes so a magic split across windows is still seen.
                q += Int64(max(1, available - 3))
                continue
            }
            let candidate = q + Int64(hit)
            if case .success(let batch)? = try self.batch(at: candidate), batch.header.baseOffset >= minOffset {
                return true
            }
            q = candidate + 1
        }
        return false
    }

    /// Walks every batch from the start of the segment and says where, if anywhere, it stops being valid.
    public mutating func scan(
        baseOffset: UInt64, indexInterval: Int = SegmentIndex.defaultInterval,
        onProgress: ((Int64) -> Void)? = nil, progressInterval: Int64 = 64 << 20
    ) throws(StoreError) -> SegmentScan {
        var result = SegmentScan(baseOffset: baseOffset, indexInterval: indexInterval)
        var position: Int64 = 0
        var nextProgress = progressInterval
        while let step = try batch(at: position) {
            switch step {
            case .success(let batch):
                let h = batch.header
                guard h.baseOffset == result.nextOffset else {
                    result.failure = SegmentScan.Failure(
                        position: position,
                        reason: "offset discontinuity: expected batch at offset \(result.nextOffset), found \(h.baseOffset)",
                        error: nil, tornTail: false)
                    return result
                }
                result.add(h, at: position)
                position += Int64(h.totalSize)
                if position >= nextProgress {
                    onProgress?(position)
                    nextProgress = position + progressInterval
                }
            case .failure(let error):
                let torn = try !validBatchExists(after: position, minOffset: result.nextOffset)
                result.failure = SegmentScan.Failure(position: position, reason: error.description, error: error, tornTail: torn)
                return result
            }
        }
        return result
    }
}

/// What a scan of one segment found.
public struct SegmentScan: Sendable {
    public struct Failure: Sendable, Equatable {
        /// Byte position of the first invalid batch; everything before it is valid.
        public var position: Int64
        public var reason: String
        public var error: RecordBatchError?
        /// Nothing valid follows: a write cut short by a crash, not damage.
        public var tornTail: Bool
    }

    public let baseOffset: UInt64
    public var nextOffset: UInt64
    /// Bytes of valid batches from the start of the segment.
    public var validSize: Int64 = 0
    public var batches = 0
    public var records = 0
    public var uncompressedBytes: Int64 = 0
    public var storedPayloadBytes: Int64 = 0
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
    public var index: SegmentIndex
    public var failure: Failure?

    init(baseOffset: UInt64, indexInterval: Int) {
        self.baseOffset = baseOffset
        self.nextOffset = baseOffset
        self.index = SegmentIndex(interval: indexInterval)
    }

    mutating func add(_ h: RecordBatchHeader, at position: Int64) {
        index.noteBatch(relativeOffset: UInt32(truncatingIfNeeded: h.baseOffset - baseOffset), position: position)
        batches += 1
        records += Int(h.recordCount)
        uncompressedBytes += Int64(h.uncompressedSize)
        storedPayloadBytes += Int64(h.compressedSize)
        if firstTimestamp == nil { firstTimestamp = h.firstTimestamp }
        lastTimestamp = h.lastTimestamp
        nextOffset = h.nextOffset
        validSize = position + Int64(h.totalSize)
    }
}
