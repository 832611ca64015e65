import NIOHTTP1

/// One file of the web console, compiled into the binary (`ConsoleAssets`). Served without credentials: the files hold no data, every `/api` call
/// they make is authenticated. Revalidated by ETag on each load, so an upgraded broker serves its own
/// console at once.
struct ConsoleAsset: Sendable {
    var path: String
    var contentType: String
    var body: [UInt8]
    var etag: String

    init(path: String, contentType: String, body: [UInt8]) {
        self.path = path
        self.contentType = contentType
        self.body = body
        self.etag = "\"" + Self.hex(Self.fnv1a(body)) + "\""
    }

    private static let byPath: [String: ConsoleAsset] = {
        var map: [String: ConsoleAsset] = [:]
        for a in ConsoleAssets.all { map[a.path] = a }
        if let index = map["/console/index.html"] {
            for alias in ["/", "/index.html", "/console", "/console/"] { map[alias] = index }
        }
        return map
    }()

    /// The asset a request target names (query ignored), if any.
    static func lookup(uri: String) -> ConsoleAsset? {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return byPath[String(path)]
    }

    static var totalBytes: Int { ConsoleAssets.all.reduce(0) { $0 + $1.body.count } }

    /// 200 with the file, or 304 when the browser's copy (`If-None-Match`) is current.
    func response(ifNoneMatch: String?) -> AdminResponse {
        var headers: [(String, String)] = [
            ("ETag", etag), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
            // Everything the console loads or calls is on this origin; nothing else may run in it.
            ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        ]
        if let tags = ifNoneMatch, tags.split(separator: ",").contains(where: { $0.trimmingSpaces == etag || $0.trimmingSpaces == "*" }) {
            return AdminResponse(status: .notModified, headers: headers)
        }
        headers.append(("Content-Type", contentType))
        return AdminResponse(status: .ok, body: body, headers: headers)
    }

    /// FNV-1a, 64 bits: a content hash for the ETag, not a security measure.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
