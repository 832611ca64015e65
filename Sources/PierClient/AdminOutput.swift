import FoundationEssentials
import PierAdminModel

/// The human-readable output of `pier ctl`: aligned tables, and key/value lines for `status`.
/// Times are shown in UTC, so the output does not depend on the machine's time zone.
enum AdminOutput {
    static func text(for operation: AdminOperation, bodies: [[UInt8]]) throws(AdminFailure) -> String {
        switch operation {
        case .status:
            return status(try decode(AdminDocument.Broker.self, from: bodies[0]),
                          try decode([AdminDocument.Listener].self, from: bodies[1]))
        case .connections:
            var table = AdminTable(["ID", "PROTOCOL", "LISTENER", "CLIENT ID", "USER", "REMOTE ADDRESS", "CONNECTED SINCE"], numeric: [0])
            for c in try decode([AdminDocument.Connection].self, from: bodies[0]) {
                table.append([String(c.id), c.protocol, c.listener, c.clientId ?? "-", c.user ?? "-", c.remoteAddress ?? "-",
                              Self.utc(c.connectedSince)])
            }
            return table.text
        case .closeConnection(let id):
            return "closed connection \(id)\n"
        case .queues:
            var table = AdminTable(["NAME", "DEPTH", "IN FLIGHT", "CONSUMERS"], numeric: [1, 2, 3])
            for q in try decode([AdminDocument.Queue].self, from: bodies[0]) {
                table.append([q.name, String(q.depth), String(q.inFlight), String(q.consumers)])
            }
            return table.text
        case .browse:
            var table = AdminTable(["ID", "PRIORITY", "PERSISTENT", "REDELIVERIES", "PROPERTIES", "PAYLOAD"], numeric: [0, 1, 3])
            for m in try decode([AdminDocument.Message].self, from: bodies[0]) {
                let properties = m.properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                table.append([m.id.map { String($0) } ?? "-", String(m.priority), m.persistent ? "yes" : "no", String(m.redeliveryCount),
                              properties.isEmpty ? "-" : properties, Self.payload(m.payload, base64: m.payloadBase64)])
            }
            return table.text
        case .purge(let queue):
            let n = try decode(AdminDocument.Purged.self, from: bodies[0]).purged
            return "purged \(Self.count(n, "message")) from \(queue)\n"
        case .move(let queue, let to, _):
            let n = try decode(AdminDocument.Moved.self, from: bodies[0]).moved
            let target = to == "original" ? "their original queues" : to
            return "moved \(Self.count(n, "message")) from \(queue) to \(target)\n"
        case .bridges:
            return bridges(try decode([AdminDocument.Bridge].self, from: bodies[0]))
        case .pauseBridge, .resumeBridge:
            return bridges([try decode(AdminDocument.Bridge.self, from: bodies[0])])
        case .retained:
            var table = AdminTable(["TOPIC", "QOS", "BYTES", "EXPIRES", "PAYLOAD"], numeric: [1, 2])
            for r in try decode([AdminDocument.Retained].self, from: bodies[0]) {
                table.append([r.topic, String(r.qos), String(r.bytes), r.expiresAt.map(Self.utc) ?? "never",
                              r.payload ?? "(binary)"])
            }
            return table.text
        }
    }

    private static func status(_ b: AdminDocument.Broker, _ listeners: [AdminDocument.Listener]) -> String {
        let lines: [(String, String)] = [
            ("version", b.version),
            ("uptime", Self.duration(b.uptimeSeconds)),
            ("ha role", b.haRole),
            ("data dir", b.dataDir),
            ("connections", String(b.connections)),
            ("sessions", String(b.sessions)),
            ("subscriptions", String(b.subscriptions)),
            ("retained", String(b.retained)),
            ("queues", String(b.queues)),
            ("messages", "\(b.messagesReceived) received, \(b.messagesSent) sent"),
            ("queue messages", "\(b.queueEnqueued) enqueued, \(b.queueAcknowledged) acknowledged, \(b.queueDeadLettered) dead-lettered"),
        ]
        let width = lines.map { $0.0.count }.max() ?? 0
        var out = lines.map { "\($0.0):" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 }.joined(separator: "\n")
        out += "\nlisteners:\n"
        var table = AdminTable(["NAME", "PROTOCOL", "TRANSPORT", "ADDRESS"])
        for l in listeners {
            table.append([l.name, l.protocol, l.transport, l.bind.contains(":") ? "[\(l.bind)]:\(l.port)" : "\(l.bind):\(l.port)"])
        }
        return out + table.text.split(separator: "\n").map { "  " + $0 + "\n" }.joined()
    }

    private static func bridges(_ bridges: [AdminDocument.Bridge]) -> String {
        var table = AdminTable(["NAME", "STATE", "UPLINK", "BACKLOG", "BACKLOG BYTES", "FORWARDED", "DROPPED", "DEAD LETTERED"],
                               numeric: [3, 4, 5, 6, 7])
        for b in bridges {
            let state = b.paused ? "paused" : b.connected ? "connected" : "disconnected"
            table.append([b.name, state, b.connectedAddress ?? "-", String(b.backlogMessages), String(b.backlogBytes),
                          String(b.forwarded), String(b.dropped), String(b.deadLettered)])
        }
        return table.text
    }

    /// The server's coder writes snake_case keys; message properties are a dictionary, whose keys
    /// the coders leave as they are.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(AdminFailure) -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: Data(body))
        } catch {
            throw .failed("unexpected answer from the admin API: \(error)")
        }
    }

    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// UTF-8 text as it is; other bodies by size (the API sends those only in base64).
    static func payload(_ text: String?, base64: String) -> String {
        if let text { return text }
        let size = Data(base64Encoded: base64)?.count ?? 0
        return "(binary, \(count(size, "byte")))"
    }

    /// `3d 4h 5m 6s`, leading zero units left out.
    static func duration(_ seconds: Int64) -> String {
        let parts: [(Int64, String)] = [(seconds / 86400, "d"), (seconds / 3600 % 24, "h"), (seconds / 60 % 60, "m"), (seconds % 60, "s")]
        let shown = parts.drop { $0.0 == 0 && $0.1 != "s" }
        return shown.map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }

    /// `2026-12-02 00:08:55Z` for milliseconds since the epoch (the civil-from-days algorithm, so no calendar is needed).
    static func utc(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}
