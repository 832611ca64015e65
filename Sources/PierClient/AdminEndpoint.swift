/// Where the admin API listens, from `--url` or `PIER_URL`: `http://HOST[:PORT][/PREFIX]` or
/// `https://…`; a bare `HOST:PORT` means http. A port left out is the scheme's (80 or 443), as in any URL.
public struct AdminEndpoint: Sendable, Equatable {
    public static let defaultURL = "http://127.0.0.1:8161"

    public var tls: Bool
    /// Without the brackets of an IPv6 literal.
    public var host: String
    public var port: Int
    /// A path before `/api` (a reverse proxy's), without a trailing slash; usually empty.
    public var prefix: String

    public init(tls: Bool, host: String, port: Int, prefix: String = "") {
        self.tls = tls
        self.host = host
        self.port = port
        self.prefix = prefix
    }

    public init(url: String) throws(AdminFailure) {
        var rest = Substring(url)
        if rest.hasPrefix("https://") {
            tls = true
            rest = rest.dropFirst(8)
        } else if rest.hasPrefix("http://") {
            tls = false
            rest = rest.dropFirst(7)
        } else if rest.contains("://") {
            throw .usage("\(url): only http:// and https:// URLs are supported")
        } else {
            tls = false
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = rest[slash...]
        guard !path.contains("?"), !path.contains("#") else { throw .usage("\(url): the URL cannot have a query or fragment") }
        guard !authority.contains("@") else { throw .usage("\(url): give credentials with --user and --password, not in the URL") }
        while path.last == "/" { path.removeLast() }
        prefix = String(path)

        let hostPart: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .usage("\(url): unterminated IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .usage("\(url): unexpected text after the IPv6 address") }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portText = nil
        }
        guard !hostPart.isEmpty else { throw .usage("\(url): no host") }
        host = String(hostPart)
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw .usage("\(url): bad port \"\(portText)\"") }
            port = p
        } else {
            port = tls ? 443 : 80
        }
    }

    /// The `Host` header: the port is left out when it is the scheme's.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    public var url: String { "\(tls ? "https" : "http")://\(hostHeader)\(prefix)" }
}
