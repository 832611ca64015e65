import Logging
import NIOConcurrencyHelpers

/// Durable named positions in the log, one small CRC'd file per cursor
/// (`cursor-<name>.pos`, replaced atomically). A cursor stores the first offset its consumer
/// has not acknowledged yet.
public final class CursorStore: Sendable {
    static let magic: [UInt8] = Array("PCUR".utf8)

    public let directory: String
    private let logger: Logger
    private let positions: NIOLockedValueBox<[String: UInt64]>
    /// One writer at a time, so two acknowledgements of one cursor cannot reorder their renames.
    private let writeLock = NIOLock()

    public init(directory: String, logger: Logger = Logger(label: "pier.store")) throws(StoreError) {
        self.directory = directory
        self.logger = logger
        try FileSystem.createDirectory(directory)
        var loaded: [String: UInt64] = [:]
        for name in try FileSystem.list(directory) where name.hasPrefix("cursor-") && name.hasSuffix(".pos") {
            switch Self.load(FileSystem.join(directory, name)) {
            case .success(let (cursor, next)):
                loaded[cursor] = next
            case .failure(let reason):
                // Forgetting a cursor only means its consumer starts over from the oldest
                // retained record: redelivery, never loss.
                logger.warning("ignoring damaged cursor file \(name): \(reason)")
            }
        }
        positions = NIOLockedValueBox(loaded)
    }

    /// File name for a cursor: safe characters kept, everything else %XX-escaped.
    static func fileName(_ cursor: String) -> String {
        var escaped = ""
        for b in cursor.utf8 {
            let safe = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95 || b == 46
            if safe && !(escaped.isEmpty && b == 46) {
                escaped.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let h = String(b, radix: 16, uppercase: true)
                escaped += "%" + (h.count == 1 ? "0" + h : h)
            }
        }
        return "cursor-" + escaped + ".pos"
    }

    static func encode(name: String, nextOffset: UInt64) -> [UInt8] {
        let n = Array(name.utf8)
        return FileCodec.encode(magic: magic, body: FileCodec.u64(nextOffset) + FileCodec.u64(UInt64(n.count)) + n)
    }

    static func decode(_ bytes: [UInt8]) -> Result<(String, UInt64), FileDamage> {
        switch FileCodec.decode(magic: magic, bytes) {
        case .failure(let reason):
            return .failure(reason)
        case .success(let body):
            guard let next = FileCodec.readU64(body, at: 0), let length = FileCodec.readU64(body, at: 8),
                  length == UInt64(body.count - 16)
            else { return .failure("bad length") }
            return .success((String(decoding: body.dropFirst(16), as: UTF8.self), next))
        }
    }

    static func load(_ path: String) -> Result<(String, UInt64), FileDamage> {
        do { return decode(try FileSystem.readFile(path)) } catch { return .failure(FileDamage(error.description)) }
    }

    /// The first unacknowledged offset of `name`, or nil if there is no such cursor.
    public func nextOffset(of name: String) -> UInt64? {
        positions.withLockedValue { $0[name] }
    }

    public var all: [String: UInt64] { positions.withLockedValue { $0 } }

    /// Persists `nextOffset` for `name`. Positions never move backwards.
    public func store(_ name: String, nextOffset: UInt64) throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        do {
            let current = positions.withLockedValue { $0[name] }
            if let current, current >= nextOffset { return }
            try FileSystem.writeAtomically(
                Self.encode(name: name, nextOffset: nextOffset), directory: directory, name: Self.fileName(name))
            positions.withLockedValue { $0[name] = nextOffset }
        }
    }

    public func remove(_ name: String) throws(StoreError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        do {
            try FileSystem.remove(FileSystem.join(directory, Self.fileName(name)))
            try FileSystem.syncDirectory(directory)
            _ = positions.withLockedValue { $0.removeValue(forKey: name) }
        }
    }
}
