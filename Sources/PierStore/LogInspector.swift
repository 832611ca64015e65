/// Read-only examination of a log directory for `pier log inspect` and `pier log verify`.
/// Unlike opening a `SegmentLog`, nothing here truncates, rebuilds or deletes.
public enum LogInspector {
    public struct SegmentSummary: Sendable {
        public var fileName: String
        public var baseOffset: UInt64
        /// One past the last valid record.
        public var nextOffset: UInt64
        public var sizeBytes: Int64
        public var batches: Int
        public var records: Int
        public var uncompressedBytes: Int64
        /// Payload bytes as stored (compressed where LZ4 helped).
        public var storedBytes: Int64
        public var firstTimestamp: Int64?
        public var lastTimestamp: Int64?
        public var indexEntries: Int
        /// Why the segment stops being valid before its end, if it does.
        public var damage: SegmentScan.Failure?

        /// Uncompressed over stored payload bytes (1 when empty).
        public var compressionRatio: Double {
            storedBytes == 0 ? 1 : Double(uncompressedBytes) / Double(storedBytes)
        }
    }

    public struct CheckpointSummary: Sendable {
        public var fileName: String
        public var upToOffset: UInt64
        public var snapshotBytes: Int
        public var problem: String?
    }

    public struct CursorSummary: Sendable {
        public var fileName: String
        public var name: String?
        public var nextOffset: UInt64?
        public var problem: String?
    }

    public struct Inspection: Sendable {
        public var directory: String
        public var segments: [SegmentSummary] = []
        public var checkpoints: [CheckpointSummary] = []
        public var cursors: [CursorSummary] = []
    }

    /// One piece of damage, named by file and byte position.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var position: Int64?
        public var reason: String

        public var description: String {
            position.map { "\(file) at byte \($0): \(reason)" } ?? "\(file): \(reason)"
        }
    }

    public static func inspect(directory: String) throws(StoreError) -> Inspection {
        guard FileSystem.isDirectory(directory) else {
            throw .io(operation: "opendir", path: directory, errno: 2)
        }
        var result = Inspection(directory: directory)
        let names = try FileSystem.list(directory)
        for base in names.compactMap(Segment.baseOffset(fromLogName:)).sorted() {
            let name = Segment.logName(base)
            let file = try StoreFile.openForReading(FileSystem.join(directory, name))
            let size = try file.size()
            var scanner = SegmentScanner(source: FileByteSource(file: file, size: size))
            let scan = try scanner.scan(baseOffset: base)
            result.segments.append(SegmentSummary(
                fileName: name, baseOffset: base, nextOffset: scan.nextOffset, sizeBytes: size, batches: scan.batches,
                records: scan.records, uncompressedBytes: scan.uncompressedBytes, storedBytes: scan.storedPayloadBytes,
                firstTimestamp: scan.firstTimestamp, lastTimestamp: scan.lastTimestamp,
                indexEntries: scan.index.entries.count, damage: scan.failure))
        }
        for name in names {
            if let offset = CheckpointStore.offset(fromFileName: name) {
                switch CheckpointStore.load(directory: directory, offset: offset) {
                case .success(let c):
                    result.checkpoints.append(.init(fileName: name, upToOffset: offset, snapshotBytes: c.snapshot.count))
                case .failure(let damage):
                    result.checkpoints.append(.init(fileName: name, upToOffset: offset, snapshotBytes: 0, problem: damage.description))
                }
            } else if name.hasPrefix("cursor-") && name.hasSuffix(".pos") {
                switch CursorStore.load(FileSystem.join(directory, name)) {
                case .success(let (cursor, next)):
                    result.cursors.append(.init(fileName: name, name: cursor, nextOffset: next))
                case .failure(let damage):
                    result.cursors.append(.init(fileName: name, problem: damage.description))
                }
            }
        }
        return result
    }

    /// Every CRC, every batch, offset continuity, every index entry, every checkpoint and cursor
    /// file. Empty when the directory is clean.
    public static func verify(
        directory: String, indexInterval: Int = SegmentIndex.defaultInterval
    ) throws(StoreError) -> [Problem] {
        let inspection = try inspect(directory: directory)
        var problems: [Problem] = []
        var expectedNext: UInt64?
        for (i, s) in inspection.segments.enumerated() {
            if let expected = expectedNext, s.baseOffset != expected {
                problems.append(.init(
                    file: s.fileName, position: 0,
                    reason: "segment starts at offset \(s.baseOffset) but the previous segment ends at offset \(expected)"))
            }
            expectedNext = s.nextOffset
            if let damage = s.damage {
                let torn = damage.tornTail && i == inspection.segments.count - 1
                problems.append(.init(
                    file: s.fileName, position: damage.position,
                    reason: damage.reason + (torn
                        ? " (torn tail: \(s.sizeBytes - damage.position) bytes would be truncated on open)"
                        : "")))
            }
            problems += try verifyIndex(directory: directory, segment: s, interval: indexInterval)
        }
        for c in inspection.checkpoints {
            if let p = c.problem { problems.append(.init(file: c.fileName, position: nil, reason: p)) }
        }
        for c in inspection.cursors {
            if let p = c.problem { problems.append(.init(file: c.fileName, position: nil, reason: p)) }
        }
        return problems
    }

    private static func verifyIndex(
        directory: String, segment s: SegmentSummary, interval: Int
    ) throws(StoreError) -> [Problem] {
        let name = Segment.indexName(s.baseOffset)
        let path = FileSystem.join(directory, name)
        guard FileSystem.exists(path) else {
            return [.init(file: name, position: nil, reason: "index file missing (rebuilt on open)")]
        }
        let (entries, trailing) = SegmentIndex.parse(try FileSystem.readFile(path))
        let file = try StoreFile.openForReading(FileSystem.join(directory, s.fileName))
        var scanner = SegmentScanner(source: FileByteSource(file: file, size: try file.size()))
        let expected = try scanner.scan(baseOffset: s.baseOffset, indexInterval: interval).index.entries
        var problems: [Problem] = []
        if trailing != 0 {
            problems.append(.init(
                file: name, position: Int64(entries.count * SegmentIndex.entrySize),
                reason: "index ends in a partial entry (\(trailing) bytes)"))
        }
        for (i, e) in entries.enumerated() where i >= expected.count || expected[i] != e {
            problems.append(.init(
                file: name, position: Int64(i * SegmentIndex.entrySize),
                reason: "index entry \(i) (relative offset \(e.relativeOffset), position \(e.position)) "
                    + (i < expected.count
                        ? "does not match the log (expected relative offset \(expected[i].relativeOffset), position \(expected[i].position))"
                        : "points past the last valid batch")))
            break
        }
        if entries.count < expected.count && problems.isEmpty {
            problems.append(.init(
                file: name, position: Int64(entries.count * SegmentIndex.entrySize),
                reason: "index truncated: \(entries.count) of \(expected.count) entries"))
        }
        return problems
    }
}
