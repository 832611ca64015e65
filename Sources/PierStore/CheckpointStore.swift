import Logging
import NIOConcurrencyHelpers

/// Checkpoint files `checkpoint-<20-digit offset>.snap` beside the segments. Each is written
/// atomically (temp file, fsync, rename, fsync directory) with a CRC over its contents, and the
/// newest `keep` are kept so a damaged newest one falls back to the one before.
///
/// Taking a consistent checkpoint: flush the log, read `endOffset`, *then* snapshot the state,
/// and write it with `upToOffset: endOffset`. Everything below that offset is then in the
/// snapshot; records after it that also made it into the snapshot are replayed again, which is
/// harmless as long as replay is idempotent (broker state records are last-writer-wins upserts).
public final class CheckpointStore: Sendable {
    static let magic: [UInt8] = Array("PCKP".utf8)

    public let directory: String
    public let keep: Int
    private let logger: Logger
    /// Offsets of the checkpoint files known to be valid, ascending.
    private let validOffsets: NIOLockedValueBox<[UInt64]>
    private let writeLock = NIOLock()

    public init(directory: String, keep: Int = 2, logger: Logger = Logger(label: "pier.store")) throws(StoreError) {
        self.directory = directory
        self.keep = max(1, keep)
        self.logger = logger
        try FileSystem.createDirectory(directory)
        var valid: [UInt64] = []
        for offset in try Self.listOffsets(directory) {
            if case .success = Self.load(directory: directory, offset: offset) { valid.append(offset) }
        }
        validOffsets = NIOLockedValueBox(valid)
    }

    static func fileName(_ offset: UInt64) -> String { "checkpoint-\(pad20(offset)).snap" }

    static func offset(fromFileName name: String) -> UInt64? {
        guard name.hasPrefix("checkpoint-"), name.hasSuffix(".snap") else { return nil }
        let digits = name.dropFirst(11).dropLast(5)
        guard digits.utf8.count == 20, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(digits)
    }

    static func listOffsets(_ directory: String) throws(StoreError) -> [UInt64] {
        try FileSystem.list(directory).compactMap(offset(fromFileName:)).sorted()
    }

    static func encode(_ checkpoint: Checkpoint) -> [UInt8] {
        FileCodec.encode(
            magic: magic,
            body: FileCodec.u64(checkpoint.upToOffset) + FileCodec.u64(UInt64(checkpoint.snapshot.count)) + checkpoint.snapshot)
    }

    static func decode(_ bytes: [UInt8]) -> Result<Checkpoint, FileDamage> {
        switch FileCodec.decode(magic: magic, bytes) {
        case .failure(let reason):
            return .failure(reason)
        case .success(let body):
            guard let offset = FileCodec.readU64(body, at: 0), let length = FileCodec.readU64(body, at: 8),
                  length == UInt64(body.count - 16)
            else { return .failure("bad length") }
            return .success(Checkpoint(upToOffset: offset, snapshot: Array(body.dropFirst(16))))
        }
    }

    static func load(directory: String, offset: UInt64) -> Result<Checkpoint, FileDamage> {
        let path = FileSystem.join(directory, fileName(offset))
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch { return .failure(FileDamage(error.description)) }
        switch decode(bytes) {
        case .success(let checkpoint) where checkpoint.upToOffset == offset:
            return .success(checkpoint)
        case .success:
            return .failure("offset in file does not match its name")
        case .failure(let reason):
            return .failure(reason)
        }
    }

    /// Writes a checkpoint and prunes older ones beyond `keep`.
    public func write(_ snapshot: [UInt8], upToOffset: UInt64) throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        do {
            let bytes = Self.encode(Checkpoint(upToOffset: upToOffset, snapshot: snapshot))
            try FileSystem.writeAtomically(bytes, directory: directory, name: Self.fileName(upToOffset))
            var valid = validOffsets.withLockedValue { list in
                if !list.contains(upToOffset) { list.append(upToOffset) }
                list.sort()
                return list
            }
            // Prune by file name, newest first, keeping `keep` valid ones; invalid files older
            // than the kept ones go too.
            let all = try Self.listOffsets(directory)
            let kept = Set(valid.suffix(keep))
            let oldestKept = kept.min() ?? upToOffset
            for offset in all where !kept.contains(offset) && offset < oldestKept {
                try FileSystem.remove(FileSystem.join(directory, Self.fileName(offset)))
            }
            valid = Array(valid.suffix(keep))
            let final = valid
            validOffsets.withLockedValue { $0 = final }
        }
    }

    /// The newest checkpoint that reads back intact; damaged newer ones are skipped (and logged).
    public func loadLatest() throws(StoreError) -> Checkpoint? {
        for offset in try Self.listOffsets(directory).reversed() {
            switch Self.load(directory: directory, offset: offset) {
            case .success(let checkpoint):
                return checkpoint
            case .failure(let reason):
                logger.warning("skipping damaged checkpoint \(Self.fileName(offset)): \(reason)")
                validOffsets.withLockedValue { $0.removeAll { $0 == offset } }
            }
        }
        return nil
    }

    /// Offsets of the valid checkpoints on disk, ascending.
    public var offsets: [UInt64] { validOffsets.withLockedValue { $0 } }

    /// The lowest offset any kept checkpoint replays from. Retention keeps the log from here,
    /// not from the newest checkpoint, so falling back to an older one still finds its records.
    public var retentionOffset: UInt64? { validOffsets.withLockedValue { $0.first } }
}
