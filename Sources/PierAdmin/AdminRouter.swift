import NIOHTTP1
import PierCore

/// Maps a request line onto an `AdminRoute`, or the HTTP refusal it deserves: 404 for a path the API
/// does not have, 405 (with the methods it does allow) for a known path asked with the wrong method,
/// 400 for a bad parameter. Pure, so the whole table is unit-tested without a socket.
public enum AdminRouter {
    public enum Refusal: Error, Equatable, Sendable {
        case notFound
        case methodNotAllowed(allowed: [HTTPMethod])
        case badRequest(String)
    }

    /// Default and largest page of `GET /api/queues/{name}/messages`.
    public static let defaultBrowseLimit = 100
    public static let maxBrowseLimit = 1000

    public static func route(method: HTTPMethod, uri: String) -> Result<AdminRoute, Refusal> {
        let (path, query) = split(uri)
        guard path.first == "/" else { return .failure(.badRequest("the request target must be an absolute path")) }
        guard let segments = decodeSegments(path) else { return .failure(.badRequest("malformed percent-encoding in path")) }
        if segments == ["metrics"] {
            return method == .GET ? .success(.metrics) : .failure(.methodNotAllowed(allowed: [.GET]))
        }
        guard segments.first == "api" else { return .failure(.notFound) }
        let rest = Array(segments.dropFirst())
        do {
            return .success(try match(method: method, rest, query: query))
        } catch {
            return .failure(error)
        }
    }

    private static func match(method: HTTPMethod, _ s: [String], query: [String: String]) throws(Refusal) -> AdminRoute {
        func only(_ allowed: HTTPMethod..., then route: () throws(Refusal) -> AdminRoute) throws(Refusal) -> AdminRoute {
            guard allowed.contains(method) else { throw .methodNotAllowed(allowed: allowed) }
            return try route()
        }
        switch s.count {
        case 1:
            switch s[0] {
            case "broker": return try only(.GET) { .broker }
            case "listeners": return try only(.GET) { .listeners }
            case "connections": return try only(.GET) { .connections }
            case "sessions": return try only(.GET) { .sessions }
            case "queues": return try only(.GET) { .queues }
            case "topics": return try only(.GET) { .topics }
            case "retained": return try only(.GET) { .retained }
            case "bridges": return try only(.GET) { .bridges }
            case "events": return try only(.GET) { .events }
            case "tail": return try only(.GET) { () throws(Refusal) -> AdminRoute in .tail(filter: try tailFilter(query["topic"])) }
            default: throw .notFound
            }
        case 2 where s[0] == "connections":
            guard let id = UInt64(s[1]) else { throw .notFound }
            return try only(.DELETE) { .closeConnection(id: id) }
        case 2 where s[0] == "queues" && !s[1].isEmpty:
            return try only(.GET) { .queue(name: s[1]) }
        case 3 where s[0] == "queues" && !s[1].isEmpty && s[2] == "messages":
            switch method {
            case .GET:
                let limit = try integer(query["limit"], name: "limit", default: defaultBrowseLimit, max: maxBrowseLimit)
                return .browseQueue(name: s[1], limit: limit)
            case .DELETE:
                return .purgeQueue(name: s[1])
            default:
                throw .methodNotAllowed(allowed: [.GET, .DELETE])
            }
        case 3 where s[0] == "queues" && !s[1].isEmpty && s[2] == "move":
            return try only(.POST) { () throws(Refusal) -> AdminRoute in
                guard let to = query["to"], !to.isEmpty else { throw .badRequest("move needs ?to=QUEUE or ?to=original") }
                guard to != s[1] else { throw .badRequest("cannot move a queue's messages to itself") }
                let limit = try integer(query["limit"], name: "limit", default: Int.max, max: Int.max)
                return .moveMessages(from: s[1], to: to, limit: limit)
            }
        case 3 where s[0] == "bridges" && !s[1].isEmpty && (s[2] == "pause" || s[2] == "resume"):
            return try only(.POST) { s[2] == "pause" ? .pauseBridge(name: s[1]) : .resumeBridge(name: s[1]) }
        case 2... where s[0] == "retained":
            // A topic's levels are path segments; `%2F` inside one is a literal slash of the same topic.
            let topic = s.dropFirst().joined(separator: "/")
            guard !topic.isEmpty else { throw .notFound }
            return try only(.DELETE) { .clearRetained(topic: topic) }
        default:
            throw .notFound
        }
    }

    /// A plain MQTT filter. A shared one (`$share/...`) is refused: the tail would take its turn in the
    /// group and steal messages from the real members.
    private static func tailFilter(_ text: String?) throws(Refusal) -> String {
        guard let text, !text.isEmpty else { throw .badRequest("tail needs ?topic=FILTER, e.g. sensors/#") }
        guard Topic.parseShared(text) == nil, !text.hasPrefix("$share/") else {
            throw .badRequest("a shared subscription cannot be tailed")
        }
        if let problem = Topic.validateFilter(text) { throw .badRequest("invalid topic filter \"\(text)\": \(problem)") }
        return text
    }

    private static func integer(_ text: String?, name: String, default value: Int, max: Int) throws(Refusal) -> Int {
        guard let text else { return value }
        guard let n = Int(text), n >= 1, n <= max else {
            throw .badRequest("\(name) must be an integer from 1 to \(max), got \"\(text)\"")
        }
        return n
    }

    static func split(_ uri: String) -> (path: Substring, query: [String: String]) {
        guard let q = uri.firstIndex(of: "?") else { return (uri[...], [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(parts[0], plusIsSpace: true) else { continue }
            query[key] = parts.count > 1 ? percentDecode(parts[1], plusIsSpace: true) ?? "" : ""
        }
        return (uri[..<q], query)
    }

    /// Path segments after the leading `/`, each percent-decoded; nil for a path that is not absolute
    /// or has a broken escape. A trailing slash is ignored.
    static func decodeSegments(_ path: Substring) -> [String]? {
        guard path.first == "/" else { return nil }
        var raw = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if raw.last == "" { raw.removeLast() }
        var out: [String] = []
        for part in raw {
            guard let decoded = percentDecode(part, plusIsSpace: false) else { return nil }
            out.append(decoded)
        }
        return out
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            switch b {
            case UInt8(ascii: "%"):
                guard let h = it.next().flatMap(hex), let l = it.next().flatMap(hex) else { return nil }
                bytes.append(h << 4 | l)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
