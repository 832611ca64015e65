#if canImport(Glibc)
import Glibc
#endif

/// Warnings about a data directory whose file system cannot keep a pair apart, found before the lock is
/// first taken: the known ways shared-directory pairs failed elsewhere (two masters on OCFS2, NFSv3 never
/// releasing a crashed client's lock) all start with locks that are not what they seem.
public enum SharedStorageCheck {
    /// The mount that holds `directory`, from `/proc/self/mounts`, judged by `warnings(forMount:)`.
    public static func warnings(forDirectory directory: String) -> [String] {
        guard let resolved = realpath(directory, nil) else { return [] }
        defer { free(resolved) }
        let path = String(decoding: UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)), as: UTF8.self)
        guard let mounts = readTextFile("/proc/self/mounts"), let mount = Mount.containing(path, in: mounts) else { return [] }
        return warnings(forMount: mount)
    }

    public struct Mount: Equatable, Sendable {
        public var point: String
        public var type: String
        public var options: [String]

        /// The longest mount point that is a prefix of `path`.
        public static func containing(_ path: String, in table: String) -> Mount? {
            var best: Mount?
            for line in table.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count >= 4 else { continue }
                let point = unescape(String(f[1]))
                let inside = point == "/" || path == point || path.hasPrefix(point + "/")
                if inside, point.count >= (best?.point.count ?? -1) {
                    best = Mount(point: point, type: String(f[2]), options: f[3].split(separator: ",").map(String.init))
                }
            }
            return best
        }

        /// /proc/mounts writes spaces and the like as octal escapes (`\040`).
        static func unescape(_ s: String) -> String {
            guard s.contains("\\") else { return s }
            var out: [UInt8] = []
            var bytes = Array(s.utf8)[...]
            while let b = bytes.popFirst() {
                if b == UInt8(ascii: "\\"), bytes.count >= 3, let v = UInt8(String(decoding: bytes.prefix(3), as: UTF8.self), radix: 8) {
                    out.append(v)
                    bytes = bytes.dropFirst(3)
                } else {
                    out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    public static func warnings(forMount mount: Mount) -> [String] {
        var found: [String] = []
        let options = Set(mount.options)
        let where_ = "data_dir is on \(mount.type) at \(mount.point)"
        if mount.type == "nfs" || mount.type == "nfs4" {
            if options.contains("vers=3") || options.contains("nfsvers=3") || (mount.type == "nfs" && !mount.options.contains { $0.hasPrefix("vers=4") }) {
                found.append("\(where_) with NFSv3: its lock manager may never release the lock of a host that crashed, and the standby will not take over until it does; mount with vers=4.1")
            }
            if options.contains("nolock") || options.contains("local_lock=all") || options.contains("local_lock=posix") {
                found.append("\(where_) with locks local to this host (nolock/local_lock): the other host cannot see them, and only the lease keeps the pair apart")
            }
            if options.contains("soft") {
                found.append("\(where_) with a soft mount: a slow server turns into I/O errors; the active fences itself when it cannot renew its lease, so prefer hard mounts")
            }
            if options.contains("nocto") {
                found.append("\(where_) with nocto: the standby may not see lease renewals (it relies on close-to-open consistency)")
            }
        }
        if mount.type == "ocfs2" || mount.type == "gfs2" {
            found.append("\(where_): cluster file systems have let two hosts hold one lock (AMQ-4378); the lease keeps the pair apart, but test failover on it")
        }
        return found
    }
}
