#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system failure, with the errno that caused it. Kept free of Foundation on purpose.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        let reason = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return "\(operation) \(path): \(reason)"
    }
}

/// Whole-file reads and atomic replacement over POSIX calls.
enum TextFile {
    /// Splits on LF or CRLF. A trailing newline ends the last line rather than starting an empty one.
    static func lines(of text: String) -> [Substring] {
        // "\r\n" is a single Character in Swift, so it needs its own case.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == "\r" ? $0.dropLast() : $0 }
    }

    static func read(path: String) throws(FileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes a sibling temporary file and renames it over `path`, so readers (a reloading broker)
    /// never see a half-written file.
    static func writeAtomically(path: String, contents: String, mode: mode_t) throws(FileError) {
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw FileError(path: temp, operation: "create", errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        // open() applies the umask; the mode is a security property of a password file, so force it.
        if fchmod(fd, mode) != 0 {
            let e = errno
            close(fd)
            throw FileError(path: temp, operation: "chmod", errno: e)
        }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw FileError(path: temp, operation: "write", errno: e)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw FileError(path: temp, operation: "fsync", errno: e)
        }
        if close(fd) != 0 { throw FileError(path: temp, operation: "close", errno: errno) }
        if rename(temp, path) != 0 { throw FileError(path: path, operation: "rename", errno: errno) }
        ok = true
    }
}

/// `read` is shadowed inside `TextFile` by its own `read(path:)`.
@inline(__always)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
