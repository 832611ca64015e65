#if canImport(Glibc)
import Glibc
#endif

/// `pier.lock` in the data directory, locked with open-file-description (OFD) locks.
///
/// OFD locks belong to one `open()`, not to the process: closing some other descriptor on the same file
/// (as reading the file elsewhere would) does not drop them, as it would a POSIX `fcntl` lock. They die with
/// the process, and NFSv4 serves them as leased byte-range locks. Byte 0 is the active's lock; each
/// standby holds a shared lock on byte 1, so `pier status` can see that one is waiting.
public final class LockFile: @unchecked Sendable {
    public let path: String
    public let fd: Int32
    /// The file's identity when opened; a different one at `path` later means the file was replaced.
    let device: UInt64
    let inode: UInt64

    enum Byte: Int64 {
        case active = 0
        case standby = 1
    }

    // Not exported by Glibc's Swift module (they sit behind _GNU_SOURCE); the values are the same on every Linux architecture.
    static let getOFD: Int32 = 36
    static let setOFD: Int32 = 37

    /// Opens (creating if needed) the lock file; `readOnly` opens an existing one just to look at its locks,
    /// which needs no write permission on it.
    public init(path: String, readOnly: Bool = false) throws(HAError) {
        self.path = path
        let fd = readOnly ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .system("open \(path)", errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw .system("fstat \(path)", e)
        }
        self.fd = fd
        self.device = UInt64(st.st_dev)
        self.inode = UInt64(st.st_ino)
    }

    deinit { close(fd) }

    /// Whether `path` still names the file this descriptor has open.
    public func isStillAtPath() -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }

    /// Takes the active's exclusive lock without waiting; false if someone holds it.
    func tryLockActive() throws(HAError) -> Bool { try set(.active, type: Int16(F_WRLCK)) }

    /// Marks this process as a waiting standby (shared, so several may wait).
    func markStandby() { _ = try? set(.standby, type: Int16(F_RDLCK)) }
    func unmarkStandby() { _ = try? set(.standby, type: Int16(F_UNLCK)) }

    /// Whether another open file description holds a lock that conflicts with an exclusive lock on `byte`.
    func isHeldElsewhere(_ byte: Byte) -> Bool {
        var lock = Self.request(Int16(F_WRLCK), on: byte)
        guard fcntl(fd, Self.getOFD, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    /// An OFD lock request of `type` on the one byte `byte` (`l_pid` must be 0 for OFD locks).
    static func request(_ type: Int16, on byte: Byte) -> flock {
        var lock = flock()
        lock.l_type = type
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(byte.rawValue)
        lock.l_len = 1
        lock.l_pid = 0
        return lock
    }

    fileprivate func set(_ byte: Byte, type: Int16) throws(HAError) -> Bool {
        var lock = Self.request(type, on: byte)
        if fcntl(fd, Self.setOFD, &lock) == 0 { return true }
        let e = errno
        if e == EAGAIN || e == EACCES { return false }
        throw .system("fcntl(F_OFD_SETLK) \(path)", e)
    }
}

extension LockFile {
    /// Drops the active's lock (a clean handover); the descriptor stays open until deinit.
    func unlockActive() { _ = try? set(.active, type: Int16(F_UNLCK)) }
}
