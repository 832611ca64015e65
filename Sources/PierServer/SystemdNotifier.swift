#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sd_notify protocol without linking libsystemd: one datagram of
/// newline-separated `KEY=VALUE` assignments to the socket in `$NOTIFY_SOCKET`.
///
/// `init` returns nil when the broker is not run by systemd with `Type=notify`,
/// so callers can hold an optional and not branch on the environment themselves.
public struct SystemdNotifier: Sendable {
    /// The socket path as given; a leading `@` names an abstract socket.
    public let socketPath: String
    /// How often systemd expects a `WATCHDOG=1`, if it supervises this process.
    public let watchdogInterval: Duration?

    /// systemd recommends pinging at half the interval so one late tick is not fatal.
    public var watchdogPingInterval: Duration? {
        watchdogInterval.map { $0 / 2 }
    }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    /// - Parameter pid: the process to compare `WATCHDOG_PID` with; a watchdog
    ///   meant for another process (e.g. a wrapper script) is ignored.
    public init?(environment: [String: String], pid: Int32 = getpid()) {
        guard let path = environment["NOTIFY_SOCKET"],
              path.hasPrefix("/") || path.hasPrefix("@"),
              path.utf8.count > 1,
              path.utf8.count <= MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else { return nil }
        socketPath = path
        watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// The notifier for this process, reading only the variables it needs.
    public static func fromProcessEnvironment() -> SystemdNotifier? {
        var environment: [String: String] = [:]
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) {
                environment[name] = String(cString: value)
            }
        }
        return SystemdNotifier(environment: environment)
    }

    static func watchdogInterval(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
              usec <= UInt64(Int64.max)
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let watchdogPID = Int32(pidText), watchdogPID == pid else { return nil }
        }
        return .microseconds(Int64(usec))
    }

    /// Sends one state string, e.g. `"READY=1\nSTATUS=listening"`.
    /// Returns false if the datagram could not be delivered; systemd may be gone
    /// or restarting, and the broker must keep running either way.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        let isAbstract = pathBytes.first == UInt8(ascii: "@")
        if isAbstract {
            pathBytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count <= capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        // Abstract names are length-delimited, so the trailing NUL must not be
        // counted; a filesystem path gets its NUL when there is room for it.
        let pathLength = isAbstract ? pathBytes.count : min(pathBytes.count + 1, capacity)
        let addressLength = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathLength)

        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        var payload = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { addressPointer in
            addressPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeMutableBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, flags, socketAddress, addressLength)
                }
            }
        }
        return sent == payload.count
    }

    /// Startup finished: listeners are bound and clients can connect.
    @discardableResult
    public func ready() -> Bool { notify("READY=1") }

    /// Shutdown began; systemd stops expecting watchdog pings.
    @discardableResult
    public func stopping() -> Bool { notify("STOPPING=1") }

    /// The event loops are alive.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// Free-form text shown by `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool {
        // A newline would start a new assignment, letting text set other keys.
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return notify("STATUS=\(line)")
    }
}
