import FoundationEssentials
import PierCore

/// Who may use the admin API: Basic credentials checked against the password file, and an `admin`
/// line in the user's ACL section. Anonymous requests pass only with `http.allow_anonymous`.
public struct AdminAccess: Sendable {
    public enum Decision: Sendable, Equatable {
        /// `user` is nil for an anonymous request.
        case allowed(user: String?)
        /// 401 with a Basic challenge: no credentials (and no anonymous access), or wrong ones.
        case unauthorized
        /// 403: a valid user without the `admin` grant.
        case forbidden
    }

    /// Nil without a password file: then nobody can log in.
    let authenticator: (any Authenticator)?
    let isAdmin: @Sendable (String) -> Bool
    let allowAnonymous: Bool

    public init(authenticator: (any Authenticator)?, allowAnonymous: Bool, isAdmin: @escaping @Sendable (String) -> Bool) {
        self.authenticator = authenticator
        self.allowAnonymous = allowAnonymous
        self.isAdmin = isAdmin
    }

    /// `authorization` is the request's `Authorization` header, if any.
    public func decide(authorization: String?) -> Decision {
        guard let authorization else { return allowAnonymous ? .allowed(user: nil) : .unauthorized }
        guard let (user, password) = Self.basicCredentials(authorization), let authenticator else { return .unauthorized }
        let identity = ClientIdentity(clientID: "http-admin", username: user, listener: "http")
        guard case .accepted = authenticator.authenticate(username: user, password: Array(password.utf8), identity: identity,
                                                          allowAnonymous: false) else { return .unauthorized }
        return isAdmin(user) ? .allowed(user: user) : .forbidden
    }

    /// `Basic base64(user:password)` (RFC 7617); the scheme name is case-insensitive.
    static func basicCredentials(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingBlanks()),
              let text = String(validating: data, as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return nil }
        let user = String(text[..<colon])
        guard !user.isEmpty else { return nil }
        return (user, String(text[text.index(after: colon)...]))
    }
}

extension String {
    fileprivate func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
