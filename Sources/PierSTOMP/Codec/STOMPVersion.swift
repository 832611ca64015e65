/// A STOMP protocol version, as named in `accept-version` and `version` headers.
public enum STOMPVersion: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case v1_0 = "1.0"
    case v1_1 = "1.1"
    case v1_2 = "1.2"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }

    public var description: String { rawValue }

    /// 1.0 has no header escaping at all; 1.1 added `\\`, `\n` and `\c`.
    public var escapesHeaders: Bool { self != .v1_0 }

    /// Only 1.2 defines `\r`; in 1.1 it is an undefined escape and so a fatal error.
    public var escapesCarriageReturn: Bool { self == .v1_2 }

    /// The version a server speaks after a CONNECT or STOMP frame carrying `acceptVersion`.
    ///
    /// - An absent header means a 1.0 client (spec 1.1 §Protocol Negotiation). An empty or blank value is
    ///   treated the same way, because old clients send the header empty rather than leave it out.
    /// - Otherwise the highest listed version found in `supported` wins; entries are trimmed of spaces and
    ///   unknown ones (`2.0`, `1.3`, garbage) are skipped, so a future client still meets us on common ground.
    /// - nil means no common version: the spec wants an ERROR frame with a `version` header listing
    ///   `supported`, then a close.
    public static func negotiate(acceptVersion: String?, supported: Set<STOMPVersion> = Set(allCases)) -> STOMPVersion? {
        guard let acceptVersion, acceptVersion.contains(where: { $0 != " " && $0 != "\t" }) else {
            return supported.contains(.v1_0) ? .v1_0 : nil
        }
        var best: STOMPVersion?
        for entry in acceptVersion.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = entry.trimmingSpaces()
            guard let v = STOMPVersion(rawValue: String(trimmed)), supported.contains(v) else { continue }
            if best.map({ v > $0 }) ?? true { best = v }
        }
        return best
    }

    /// The `version` header value of the ERROR frame refusing a CONNECT: the supported versions, ascending.
    public static func headerValue(listing versions: Set<STOMPVersion>) -> String {
        versions.sorted().map(\.rawValue).joined(separator: ",")
    }

    private var order: Int {
        switch self {
        case .v1_0: return 0
        case .v1_1: return 1
        case .v1_2: return 2
        }
    }
}

extension Substring {
    /// Spaces and tabs only: STOMP values are not Unicode text to normalise, and Foundation is off limits.
    func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
