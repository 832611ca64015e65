#if canImport(Glibc)
import Glibc
#endif

/// Text to a file descriptor with plain `write` calls, retried until all of it is written: a pipe or a
/// terminal may take less than asked, and a signal may interrupt the call. Kept free of Foundation and
/// of stdio's buffer, so a line reaches a pipe (a log shipper, `pier sub | grep`) when it is written.
public enum FileDescriptorOutput {
    @discardableResult
    public static func write(_ text: String, to fd: CInt) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            bytes = bytes.dropFirst(n)
        }
        return true
    }
}
