/// One sparse index entry: the batch holding `relativeOffset` (offset minus the segment's base)
/// starts at byte `position` of the segment.
public struct IndexEntry: Sendable, Equatable {
    public var relativeOffset: UInt32
    public var position: UInt32

    public init(relativeOffset: UInt32, position: UInt32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }
}

/// The sparse offset index of one segment, kept in memory and mirrored to `<base>.index` as
/// 8-byte little-endian (relative offset, position) pairs. An entry is added whenever a batch
/// starts at least `interval` bytes after the last indexed one, so a lookup scans at most about
/// `interval` bytes of log. The file is only a cache: open rebuilds it from the log whenever it
/// disagrees with what the scan found.
public struct SegmentIndex: Sendable, Equatable {
    public static let entrySize = 8
    public static let defaultInterval = 4096

    public private(set) var entries: [IndexEntry] = []
    /// Position of the last indexed batch; position 0 is implicitly indexed.
    private(set) var lastIndexedPosition: Int64 = 0
    public let interval: Int

    public init(interval: Int = SegmentIndex.defaultInterval) {
        self.interval = max(1, interval)
    }

    /// Records the batch at `position` if the interval rule says so; returns the new entry.
    @discardableResult
    mutating func noteBatch(relativeOffset: UInt32, position: Int64) -> IndexEntry? {
        guard position - lastIndexedPosition >= Int64(interval) else { return nil }
        lastIndexedPosition = position
        let entry = IndexEntry(relativeOffset: relativeOffset, position: UInt32(truncatingIfNeeded: position))
        entries.append(entry)
        return entry
    }

    /// Where to start scanning for `relativeOffset`: the last entry at or below it, else 0.
    public func position(for relativeOffset: UInt32) -> Int64 {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].relativeOffset <= relativeOffset { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? 0 : Int64(entries[lo - 1].position)
    }

    static func serialize(_ entries: [IndexEntry]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entries.count * entrySize)
        bytes.withUnsafeMutableBytes { p in
            for (i, e) in entries.enumerated() {
                p.storeBytes(of: e.relativeOffset.littleEndian, toByteOffset: i * entrySize, as: UInt32.self)
                p.storeBytes(of: e.position.littleEndian, toByteOffset: i * entrySize + 4, as: UInt32.self)
            }
        }
        return bytes
    }

    /// Parses an index file; `trailingBytes` counts a torn last entry.
    static func parse(_ bytes: [UInt8]) -> (entries: [IndexEntry], trailingBytes: Int) {
        let n = bytes.count / entrySize
        var entries: [IndexEntry] = []
        entries.reserveCapacity(n)
        bytes.withUnsafeBytes { p in
            for i in 0..<n {
                entries.append(IndexEntry(
                    relativeOffset: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i * entrySize, as: UInt32.self)),
                    position: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i * entrySize + 4, as: UInt32.self))))
            }
        }
        return (entries, bytes.count - n * entrySize)
    }
}
