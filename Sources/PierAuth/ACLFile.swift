import PierCore

/// A parsed mosquitto `acl_file`, as documented for mosquitto 2.0:
///
///     # rules before any `user` line apply to anonymous clients
///     topic read $SYS/#
///     user alice
///     topic readwrite alice/#
///     topic deny alice/secret
///     pattern write devices/%c/status
///
/// `topic [read|write|readwrite|deny] <filter>` adds a rule to the current section; the access
/// defaults to readwrite. `pattern …` applies to every client, with `%c` and `%u` replaced by its
/// client id and username. A repeated `user` section adds to the earlier one.
///
/// Pier adds `queue [read|write|readwrite|deny] <pattern>` for queues, with ActiveMQ's dotted
/// wildcards (`jobs.*`, `orders.>`): read is consume and browse, write is send. A file without any
/// `queue` line leaves queues open, so a mosquitto file keeps exactly its meaning.
///
/// Pier also adds `admin` inside a `user` section: that user may use the HTTP admin API. mosquitto
/// has no such line, so a mosquitto file grants nobody the API.
public struct ACLFile: Sendable, Equatable {
    public enum Access: Sendable, Hashable {
        case read
        case write
        case readWrite
        /// Refuses matching topics even when another rule would allow them.
        case deny

        public var allowsRead: Bool { self == .read || self == .readWrite }
        public var allowsWrite: Bool { self == .write || self == .readWrite }
    }

    public struct Rule: Sendable, Hashable {
        public var access: Access
        public var filter: String

        public init(access: Access, filter: String) {
            self.access = access
            self.filter = filter
        }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based.
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "ACL file line \(line): \(reason)" }
    }

    /// Rules that appear before the first `user` line: they apply to clients without a username.
    public var anonymousRules: [Rule]
    /// A client with a username gets only its own section (plus patterns), never the anonymous one.
    public var userRules: [String: [Rule]]
    public var patterns: [Rule]
    /// `queue` rules by section, their filters in MQTT form (`orders.>` is kept as `orders/#`).
    public var anonymousQueueRules: [Rule]
    public var userQueueRules: [String: [Rule]]
    /// Users whose section has an `admin` line.
    public var admins: Set<String>

    public init(anonymousRules: [Rule] = [], userRules: [String: [Rule]] = [:], patterns: [Rule] = [],
                anonymousQueueRules: [Rule] = [], userQueueRules: [String: [Rule]] = [:], admins: Set<String> = []) {
        self.anonymousRules = anonymousRules
        self.userRules = userRules
        self.patterns = patterns
        self.anonymousQueueRules = anonymousQueueRules
        self.userQueueRules = userQueueRules
        self.admins = admins
    }

    /// Whether any `queue` line was given: without one, queues are not controlled by the file.
    public var controlsQueues: Bool { !anonymousQueueRules.isEmpty || userQueueRules.values.contains { !$0.isEmpty } }

    public init(parsing text: String) throws {
        var anonymous: [Rule] = []
        var users: [String: [Rule]] = [:]
        var patterns: [Rule] = []
        var anonymousQueues: [Rule] = []
        var userQueues: [String: [Rule]] = [:]
        var currentUser: String?
        var admins: Set<String> = []

        for (index, rawLine) in TextFile.lines(of: text).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingBlanks()
            if line.isEmpty || line.first == "#" { continue }

            let (keyword, afterKeyword) = line.splitFirstWord()
            switch keyword {
            case "queue":
                let (first, afterFirst) = afterKeyword.splitFirstWord()
                if first.isEmpty { throw ParseError(line: number, reason: "empty queue pattern") }
                let access: Access
                let pattern: Substring
                if afterFirst.isEmpty {
                    access = .readWrite
                    pattern = first
                } else {
                    guard let a = Access(word: first) else { throw ParseError(line: number, reason: "invalid access type \"\(first)\"") }
                    access = a
                    pattern = afterFirst
                }
                let filter = Destination.mqttName(fromDotted: String(pattern))
                if let problem = Topic.validateFilter(filter) {
                    throw ParseError(line: number, reason: "invalid queue pattern \"\(pattern)\": \(problem)")
                }
                if let currentUser {
                    userQueues[currentUser, default: []].append(Rule(access: access, filter: filter))
                } else {
                    anonymousQueues.append(Rule(access: access, filter: filter))
                }
            case "topic", "pattern":
                let (first, afterFirst) = afterKeyword.splitFirstWord()
                if first.isEmpty { throw ParseError(line: number, reason: "empty topic") }
                let access: Access
                let filter: Substring
                // mosquitto reads `topic foo` as topic "foo" with readwrite, even when "foo" is "read".
                if afterFirst.isEmpty {
                    access = .readWrite
                    filter = first
                } else {
                    switch first {
                    case "read": access = .read
                    case "write": access = .write
                    case "readwrite": access = .readWrite
                    case "deny": access = .deny
                    default: throw ParseError(line: number, reason: "invalid access type \"\(first)\"")
                    }
                    filter = afterFirst
                }
                if let problem = Topic.validateFilter(String(filter)) {
                    throw ParseError(line: number, reason: "invalid topic filter \"\(filter)\": \(problem)")
                }
                let rule = Rule(access: access, filter: String(filter))
                if keyword == "pattern" {
                    patterns.append(rule)
                } else if let currentUser {
                    users[currentUser, default: []].append(rule)
                } else {
                    anonymous.append(rule)
                }
            case "admin":
                if !afterKeyword.isEmpty { throw ParseError(line: number, reason: "admin takes no argument") }
                // Anonymous clients never reach the API as admins: the grant needs a named user.
                guard let currentUser else { throw ParseError(line: number, reason: "admin outside a user section") }
                admins.insert(currentUser)
            case "user":
                if afterKeyword.isEmpty { throw ParseError(line: number, reason: "missing username") }
                let name = String(afterKeyword)
                currentUser = name
                // Registering the section makes a user with no rules "known but allowed nothing".
                if users[name] == nil { users[name] = [] }
            default:
                throw ParseError(line: number, reason: "unknown keyword \"\(keyword)\"")
            }
        }
        self.init(anonymousRules: anonymous, userRules: users, patterns: patterns,
                  anonymousQueueRules: anonymousQueues, userQueueRules: userQueues, admins: admins)
    }

    public static func load(path: String) throws -> ACLFile {
        try ACLFile(parsing: TextFile.read(path: path))
    }
}

extension ACLFile.Access {
    init?(word: Substring) {
        switch word {
        case "read": self = .read
        case "write": self = .write
        case "readwrite": self = .readWrite
        case "deny": self = .deny
        default: return nil
        }
    }
}

extension Substring {
    /// The first blank-separated word and the blank-trimmed remainder.
    fileprivate func splitFirstWord() -> (Substring, Substring) {
        guard let end = firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (self, self[endIndex...]) }
        return (self[..<end], self[end...].trimmingBlanks())
    }
}
