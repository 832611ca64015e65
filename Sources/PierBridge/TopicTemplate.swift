import PierCore

/// Remapping between MQTT topics and upstream addresses: a filter's wildcards capture levels that a
/// template puts back, e.g. `sensors/+/temp` with `telemetry.{1}.temp` sends `sensors/k7/temp` to `telemetry.k7.temp`.
public enum TopicTemplate {
    /// The levels matched by `+` (in order) and, last, what `#` matched joined with `/`; nil when the topic
    /// doesn't match. The core's one topic matcher decides.
    public static func captures(filter: String, topic: String) -> [String]? {
        Topic.captures(filter: filter, topic: topic)?.map(String.init)
    }

    /// Replaces `{1}`…`{n}` with captures, `{#}` with the multi-level capture (levels joined by `.`),
    /// and `{name}` with `values[name]`. Unknown placeholders are left as they are.
    public static func render(_ template: String, captures: [String], values: [String: String] = [:]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[rest.startIndex..<open]
            let key = rest[rest.index(after: open)..<close]
            if let n = Int(key), n >= 1, n <= captures.count {
                out += captures[n - 1]
            } else if key == "#", let last = captures.last {
                out += last.replacingSlashes()
            } else if let v = values[String(key)] {
                out += v
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

extension String {
    fileprivate func replacingSlashes() -> String {
        String(map { $0 == "/" ? "." : $0 })
    }
}
