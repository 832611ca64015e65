import Logging
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// `logging.format: json`: one JSON object per line on standard error, for log shippers (Vector, Fluent
/// Bit, Loki's promtail, journald's JSON export). Keys: `ts` (UTC, RFC 3339 with milliseconds), `level`,
/// `logger`, `msg`, `source`, then the metadata's keys. Written by hand because swift-log has no JSON
/// handler and Foundation's encoder would pull Foundation into the broker binary.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        var out = "{\"ts\":\"" + Self.timestamp() + "\",\"level\":\"" + event.level.rawValue + "\",\"logger\":"
        Self.append(string: label, to: &out)
        out += ",\"msg\":"
        Self.append(string: event.message.description, to: &out)
        out += ",\"source\":"
        Self.append(string: event.source, to: &out)
        for key in all.keys.sorted() where !["ts", "level", "logger", "msg", "source"].contains(key) {
            out += ","
            Self.append(string: key, to: &out)
            out += ":"
            Self.append(value: all[key]!, to: &out)
        }
        out += "}\n"
        write(out)
    }

    static func append(value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s): append(string: s, to: &out)
        case .stringConvertible(let c): append(string: c.description, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(value: item, to: &out)
            }
            out += "]"
        case .dictionary(let d):
            out += "{"
            for (i, key) in d.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                append(string: key, to: &out)
                out += ":"
                append(value: d[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    static func append(string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &t)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T\(pad(t.tm_hour, 2)):"
            + "\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    private static let lock = NIOLock()

    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ = FileDescriptorOutput.write(line, to: 2) }
    }
}
