import FoundationEssentials
import NIOHTTP1

/// One admin API call: a method and a request target under `/api`, its path segments and query values
/// percent-encoded, so queue names with `/`, `%` or spaces reach the router intact.
public struct AdminHTTPRequest: Sendable, Equatable {
    public var method: HTTPMethod
    /// The path and query after the endpoint's prefix, e.g. `/api/queues/a%2Fb/move?to=c`.
    public var target: String

    public init(_ method: HTTPMethod, _ segments: [String], query: [(String, String)] = []) {
        self.method = method
        var target = "/api" + segments.map { "/" + Self.percentEncode($0) }.joined()
        if !query.isEmpty {
            target += "?" + query.map { Self.percentEncode($0.0) + "=" + Self.percentEncode($0.1) }.joined(separator: "&")
        }
        self.target = target
    }

    /// The request head for `endpoint`, with Basic credentials when there is a user. Each request has
    /// its own connection (`Connection: close`): a command makes at most two.
    public func head(for endpoint: AdminEndpoint, user: String?, password: String?) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "User-Agent", value: "pier-ctl")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "close")
        if method != .GET { headers.add(name: "Content-Length", value: "0") }
        if let user {
            let token = Data("\(user):\(password ?? "")".utf8).base64EncodedString()
            headers.add(name: "Authorization", value: "Basic \(token)")
        }
        return HTTPRequestHead(version: .http1_1, method: method, uri: endpoint.prefix + target, headers: headers)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 unreserved characters stay; every other byte is escaped.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(Self.hexDigits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(Self.hexDigits[Int(byte & 0xF)]))
            }
        }
        return out
    }
}
