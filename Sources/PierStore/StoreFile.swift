#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned file descriptor with the few positioned operations the store needs. Positioned
/// I/O (`pread`/`pwrite`) lets readers share a descriptor with the writer without a shared seek
/// pointer. The descriptor closes when the last reference goes, so a reader holding a segment
/// keeps reading it even after retention unlinks the file.
final class StoreFile: @unchecked Sendable {
    // Immutable after init; the kernel serialises concurrent pread/pwrite on one descriptor.
    let fd: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(StoreError) {
        let fd = path.withCString { systemOpen($0, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    static func openForReading(_ path: String) throws(StoreError) -> StoreFile {
        try StoreFile(path: path, flags: O_RDONLY)
    }

    static func openForWriting(_ path: String, create: Bool) throws(StoreError) -> StoreFile {
        try StoreFile(path: path, flags: O_RDWR | (create ? O_CREAT : 0))
    }

    deinit { _ = systemClose(fd) }

    func size() throws(StoreError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        return Int64(st.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pread", path: path, errno: errno)
            }
            done += n
        }
        return done
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StoreError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(StoreError) {
        let r = bytes.withUnsafeBytes { p in Result { () throws(StoreError) in try write(p, at: offset) } }
        try r.get()
    }

    func readAll() throws(StoreError) -> [UInt8] {
        let count = Int(try size())
        var bytes = [UInt8](repeating: 0, count: count)
        let r = bytes.withUnsafeMutableBytes { p in Result { () throws(StoreError) in try read(into: p, at: 0) } }
        let n = try r.get()
        if n < count { bytes.removeLast(count - n) }
        return bytes
    }

    func sync() throws(StoreError) {
        #if canImport(Darwin)
        let r = fcntl(fd, F_FULLFSYNC)
        #else
        let r = fdatasync(fd)
        #endif
        guard r == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    func truncate(to length: Int64) throws(StoreError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw .io(operation: "ftruncate", path: path, errno: errno) }
    }
}

enum SystemError {
    static func message(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s)
    }
}

// Module-qualified so the calls work on Glibc and Darwin alike and never resolve to a method.
#if canImport(Glibc)
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
func systemRename(_ from: String, _ to: String) -> Int32 { Glibc.rename(from, to) }
#elseif canImport(Darwin)
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
func systemRename(_ from: String, _ to: String) -> Int32 { Darwin.rename(from, to) }
#endif
