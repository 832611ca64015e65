#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// One `<base offset>.log` file and its `.index`. Readers and the writer share it: the writer
/// appends past `committed.size`, and only moves `committed` forward once the bytes are written
/// (and, with `FsyncPolicy.always`, synced), so readers never see a batch that might not survive.
final class Segment: @unchecked Sendable {
    struct Committed: Sendable {
        var size: Int64
        var nextOffset: UInt64
        var batches: Int
        var records: Int
        var firstTimestamp: Int64?
        var lastTimestamp: Int64?
        var index: SegmentIndex
    }

    let baseOffset: UInt64
    let directory: String
    let file: StoreFile
    private let committedBox: NIOLockedValueBox<Committed>

    // Writer-thread state (also touched by recovery before the writer starts).
    var writePosition: Int64
    var writeNextOffset: UInt64
    var writeFirstTimestamp: Int64?
    var indexFile: StoreFile?
    var indexFileEntries: Int

    static func logName(_ base: UInt64) -> String { pad20(base) + ".log" }
    static func indexName(_ base: UInt64) -> String { pad20(base) + ".index" }

    /// The base offset named by a segment file name, or nil if the name is not one.
    static func baseOffset(fromLogName name: String) -> UInt64? {
        guard name.hasSuffix(".log"), name.utf8.count == 24 else { return nil }
        let digits = name.dropLast(4)
        guard digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(digits)
    }

    var name: String { Self.logName(baseOffset) }
    var logPath: String { FileSystem.join(directory, Self.logName(baseOffset)) }
    var indexPath: String { FileSystem.join(directory, Self.indexName(baseOffset)) }

    init(directory: String, file: StoreFile, scan: SegmentScan, indexFile: StoreFile?, indexFileEntries: Int) {
        self.baseOffset = scan.baseOffset
        self.directory = directory
        self.file = file
        let committed = Committed(
            size: scan.validSize, nextOffset: scan.nextOffset, batches: scan.batches, records: scan.records,
            firstTimestamp: scan.firstTimestamp, lastTimestamp: scan.lastTimestamp, index: scan.index)
        self.committedBox = NIOLockedValueBox(committed)
        self.writePosition = scan.validSize
        self.writeNextOffset = scan.nextOffset
        self.writeFirstTimestamp = scan.firstTimestamp
        self.indexFile = indexFile
        self.indexFileEntries = indexFileEntries
    }

    /// Creates an empty segment file (and index) starting at `base`.
    static func create(directory: String, base: UInt64, indexInterval: Int) throws(StoreError) -> Segment {
        let file = try StoreFile(path: FileSystem.join(directory, logName(base)), flags: O_RDWR | O_CREAT | O_TRUNC)
        let index = try StoreFile(path: FileSystem.join(directory, indexName(base)), flags: O_RDWR | O_CREAT | O_TRUNC)
        try FileSystem.syncDirectory(directory)
        return Segment(
            directory: directory, file: file, scan: SegmentScan(baseOffset: base, indexInterval: indexInterval),
            indexFile: index, indexFileEntries: 0)
    }

    var committed: Committed { committedBox.withLockedValue { $0 } }

    /// Where a reader should start scanning for `offset` and how far it may read.
    func readStart(for offset: UInt64) -> (position: Int64, size: Int64, nextOffset: UInt64) {
        committedBox.withLockedValue { c in
            let rel = offset >= baseOffset ? UInt32(truncatingIfNeeded: offset - baseOffset) : 0
            return (c.index.position(for: rel), c.size, c.nextOffset)
        }
    }

    func committedExtent() -> (size: Int64, nextOffset: UInt64) {
        committedBox.withLockedValue { ($0.size, $0.nextOffset) }
    }

    /// Writer thread: a batch was placed at `position` in the pending write.
    func noteWrittenBatch(_ h: RecordBatchHeader, at position: Int64) {
        // Appended in place under the lock: readers only look up committed offsets, and an entry
        // for a not-yet-committed batch is never the floor of one.
        let rel = UInt32(truncatingIfNeeded: h.baseOffset - baseOffset)
        if let entry = committedBox.withLockedValue({ $0.index.noteBatch(relativeOffset: rel, position: position) }) {
            // The index file is a cache rebuilt on open, so a failed write here is not fatal.
            if let indexFile {
                try? indexFile.write(SegmentIndex.serialize([entry]), at: Int64(indexFileEntries * SegmentIndex.entrySize))
                indexFileEntries += 1
            }
        }
        if writeFirstTimestamp == nil { writeFirstTimestamp = h.firstTimestamp }
        writeNextOffset = h.nextOffset
    }

    /// Writer thread: makes everything written so far visible to readers.
    func publish(batches: Int, records: Int, lastTimestamp: Int64?) {
        let size = writePosition
        let next = writeNextOffset
        let first = writeFirstTimestamp
        committedBox.withLockedValue { c in
            c.size = size
            c.nextOffset = next
            c.batches += batches
            c.records += records
            if c.firstTimestamp == nil { c.firstTimestamp = first }
            if let lastTimestamp { c.lastTimestamp = lastTimestamp }
        }
    }
}

func pad20(_ value: UInt64) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
}
