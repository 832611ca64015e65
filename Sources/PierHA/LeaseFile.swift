#if canImport(Glibc)
import Glibc
#endif

/// What reading `pier.lease` found.
public enum LeaseReading: Sendable, Equatable {
    case missing
    /// Bytes that are not an intact record: torn, foreign or damaged. Compared as they are, to see change.
    case unreadable([UInt8])
    case record(LeaseRecord)

    /// What a standby compares between polls: any change means the holder is still writing.
    var fingerprint: [UInt8]? {
        switch self {
        case .missing: return nil
        case .unreadable(let bytes): return bytes
        case .record(let r): return r.encoded()
        }
    }

    public var record: LeaseRecord? {
        if case .record(let r) = self { return r }
        return nil
    }
}

/// Reads and writes `pier.lease`. Every access opens the file afresh: on NFS, open and close are where
/// the client revalidates and flushes (close-to-open consistency), so a reader on another host sees the
/// last renewal and a renewal that could not reach the server fails here.
public enum LeaseFile {
    public static func read(_ path: String) throws(HAError) -> LeaseReading {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return .missing }
            throw .system("open \(path)", errno)
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: LeaseRecord.encodedSize)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw .system("read \(path)", errno) }
        if n == 0 { return .missing }
        bytes.removeLast(bytes.count - n)
        return LeaseRecord.decode(bytes).map { .record($0) } ?? .unreadable(bytes)
    }

    public static func write(_ record: LeaseRecord, to path: String) throws(HAError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .system("open \(path)", errno) }
        let bytes = record.encoded()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        let writeErrno = errno
        let closed = close(fd)
        let closeErrno = errno
        guard n == bytes.count else { throw .system("write \(path)", n < 0 ? writeErrno : EIO) }
        guard closed == 0 else { throw .system("close \(path)", closeErrno) }
    }
}
