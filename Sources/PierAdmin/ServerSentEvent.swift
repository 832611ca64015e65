import FoundationEssentials

/// The `text/event-stream` wire format (HTML Living Standard, 9.2): an event is `data:` lines ended by a
/// blank line; a line starting with `:` is a comment, which clients ignore and proxies see as traffic.
enum ServerSentEvent {
    /// Sent every `AdminHTTPServer.heartbeat` so idle streams survive proxies' and browsers' timeouts.
    static let ping = ": ping\n\n"
    /// The first bytes of every stream: the client knows the subscription is in place from here on.
    static let opened = ": open\n\n"

    /// One event carrying `payload`; every line of it becomes its own `data:` line, so a newline in the
    /// payload cannot end the event early or inject a field.
    static func event(_ payload: String) -> String {
        var out = ""
        out.reserveCapacity(payload.utf8.count + 8)
        var rest = payload[...]
        repeat {
            let line: Substring
            if let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                line = rest[..<end]
                rest = rest[rest.index(after: end)...]
            } else {
                line = rest
                rest = rest[rest.endIndex...]
            }
            out += "data: "
            out += line
            out += "\n"
        } while !rest.isEmpty
        return out + "\n"
    }

    /// A comment, such as the note that a slow reader lost events; newlines are flattened.
    static func comment(_ text: String) -> String {
        ": " + String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }) + "\n\n"
    }

    /// `value` as one event of compact JSON (the admin API's encoder: snake_case keys, sorted).
    static func json(_ value: some Encodable) -> String {
        guard let data = try? AdminResponse.encoder.encode(value) else { return event(#"{"error":"encoding failed"}"#) }
        return event(String(decoding: data, as: UTF8.self))
    }
}
