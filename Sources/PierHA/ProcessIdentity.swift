#if canImport(Glibc)
import Glibc
#endif

/// Enough about a process to prove, from another process on the same host, that it has ended.
///
/// A lease holder on this host (same boot, same PID namespace) whose PID is gone, a zombie, or a newer
/// process that reused the PID cannot write again, so a standby need not wait out its lease. From
/// anywhere else nothing can be proven, and the lease must expire.
public struct ProcessIdentity: Sendable, Equatable {
    public var pid: Int32
    /// Start time in clock ticks after boot (field 22 of `/proc/PID/stat`); tells a reused PID apart.
    public var startTicks: UInt64
    /// Inode of `/proc/self/ns/pid`: PIDs mean nothing across namespaces.
    public var pidNamespace: UInt64
    public var bootID: String
    public var host: String

    /// "pid 1234 on gw-1", as logs and `pier status` name a holder.
    public var label: String { "pid \(pid) on \(host)" }

    public init(pid: Int32, startTicks: UInt64, pidNamespace: UInt64, bootID: String, host: String) {
        self.pid = pid
        self.startTicks = startTicks
        self.pidNamespace = pidNamespace
        self.bootID = bootID
        self.host = host
    }

    public static func current() -> ProcessIdentity {
        let pid = getpid()
        var name = [UInt8](repeating: 0, count: 256)
        let host = name.withUnsafeMutableBufferPointer { p in
            gethostname(UnsafeMutableRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self), p.count - 1)
        } == 0 ? String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) : "unknown"
        let namespace = inode(of: "/proc/self/ns/pid") ?? 0
        let boot = readTextFile("/proc/sys/kernel/random/boot_id").map { String($0.prefix { $0 != "\n" }) } ?? "unknown"
        return ProcessIdentity(pid: pid, startTicks: Self.procStat(of: pid)?.startTicks ?? 0, pidNamespace: namespace,
                               bootID: token(boot), host: token(host))
    }

    /// Whether `self` can see `other`'s PIDs: same boot of the same kernel, same PID namespace.
    public func sharesProcessTable(with other: ProcessIdentity) -> Bool {
        bootID != "unknown" && bootID == other.bootID && pidNamespace != 0 && pidNamespace == other.pidNamespace
    }

    /// True only when `other` has provably ended; false when it lives or nothing can be proven.
    public func hasProvablyEnded(_ other: ProcessIdentity) -> Bool {
        guard sharesProcessTable(with: other), other.pid > 0 else { return false }
        if kill(other.pid, 0) != 0 && errno == ESRCH { return true }
        // Unreadable (another user's process under ProtectProc=invisible, say): assume it lives.
        guard let now = Self.procStat(of: other.pid) else { return false }
        // A zombie has closed its files and will never write; a different start time is a reused PID.
        return now.state == "Z" || now.state == "X" || (other.startTicks != 0 && now.startTicks != other.startTicks)
    }

    struct Stat {
        var state: Character
        var startTicks: UInt64
    }

    static func procStat(of pid: Int32) -> Stat? {
        guard let text = readTextFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces and parentheses) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return Stat(state: state, startTicks: start)
    }

    /// The lease record is space-separated: keep names to a safe alphabet.
    private static func token(_ s: String) -> String {
        let cleaned = String(s.unicodeScalars.map { c -> Character in
            (c.isASCII && (c.properties.isAlphabetic || c.properties.numericType != nil || "-._".unicodeScalars.contains(c)))
                ? Character(c) : "_"
        })
        return cleaned.isEmpty ? "unknown" : String(cleaned.prefix(64))
    }
}

private func inode(of path: String) -> UInt64? {
    var st = stat()
    return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
}
