import FoundationEssentials
import PierAdminModel

/// Why a `pier ctl` command did not do what was asked: one line for standard error, and an exit status
/// a script can tell apart (the codes are listed in `pier ctl --help`).
public enum AdminFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// A bad `--url` (or `PIER_URL`), a bad CA file.
    case usage(String)
    /// No HTTP answer: connection refused, host unreachable, TLS handshake failed, timeout.
    case unreachable(String)
    /// 401: no credentials, or wrong ones.
    case unauthorized(String)
    /// 403: a valid user without the ACL file's `admin` grant.
    case forbidden(String)
    /// 404: no such queue, connection, bridge or retained topic.
    case notFound(String)
    /// Any other refusal (400, 405, 5xx) or an answer that cannot be read.
    case failed(String)

    public var exitCode: Int32 {
        switch self {
        case .failed: return 1
        case .unreachable: return 3
        case .unauthorized: return 4
        case .forbidden: return 5
        case .notFound: return 6
        case .usage: return 64
        }
    }

    public var description: String {
        switch self {
        case .usage(let s), .unreachable(let s), .unauthorized(let s), .forbidden(let s), .notFound(let s), .failed(let s):
            return s
        }
    }

    /// The failure a non-2xx answer stands for (nil for a success). `user` is who asked, if anyone:
    /// a 401 then means wrong credentials rather than missing ones.
    public static func from(status: Int, body: [UInt8], user: String?) -> AdminFailure? {
        guard !(200..<300).contains(status) else { return nil }
        let reason = (try? JSONDecoder().decode(AdminDocument.Failure.self, from: Data(body)))?.error
        switch status {
        case 401:
            if let user { return .unauthorized("the admin API refused the password of user \(user)") }
            return .unauthorized("the admin API needs credentials: pass --user and --password, or set PIER_USER and PIER_PASSWORD")
        case 403:
            return .forbidden("user \(user ?? "(anonymous)") may not use the admin API: its ACL section needs an `admin` line")
        case 404:
            return .notFound(reason ?? "not found")
        default:
            return .failed("the admin API answered \(status)" + (reason.map { ": \($0)" } ?? ""))
        }
    }
}
