/// A mosquitto password file: `username:hash` lines, `#` comments and blank lines.
///
/// Comments, blank lines and entry order survive an edit, so `pier passwd` can work on a file
/// an operator also edits by hand.
public struct PasswordFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var username: String
        public var hash: PasswordHash

        public init(username: String, hash: PasswordHash) {
            self.username = username
            self.hash = hash
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

        public var description: String { "password file line \(line): \(reason)" }
    }

    public enum EditError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidUsername(String)

        public var description: String {
            switch self {
            case .invalidUsername(let name): return "invalid username \"\(name)\": must be non-empty and contain no ':'"
            }
        }
    }

    enum Line: Sendable, Equatable {
        case entry(Entry)
        /// A comment or blank line, kept verbatim.
        case verbatim(String)
    }

    private(set) var lines: [Line]

    public init() {
        lines = []
    }

    public init(entries: [Entry]) {
        lines = entries.map { .entry($0) }
    }

    public init(parsing text: String) throws {
        var lines: [Line] = []
        var seen: Set<String> = []
        for (index, line) in TextFile.lines(of: text).enumerated() {
            let number = index + 1
            let trimmed = line.trimmingBlanks()
            if trimmed.isEmpty || trimmed.first == "#" {
                lines.append(.verbatim(String(line)))
                continue
            }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw ParseError(line: number, reason: "expected username:hash")
            }
            let username = String(trimmed[..<colon].trimmingBlanks())
            let hashText = trimmed[trimmed.index(after: colon)...].trimmingBlanks()
            if username.isEmpty { throw ParseError(line: number, reason: "empty username") }
            if hashText.isEmpty { throw ParseError(line: number, reason: "missing password hash for user \(username)") }
            let hash: PasswordHash
            do {
                hash = try PasswordHash(parsing: hashText)
            } catch let error as PasswordHash.ParseError {
                throw ParseError(line: number, reason: "\(error) for user \(username)")
            }
            if !seen.insert(username).inserted {
                throw ParseError(line: number, reason: "duplicate user \(username)")
            }
            lines.append(.entry(Entry(username: username, hash: hash)))
        }
        self.lines = lines
    }

    public static func load(path: String) throws -> PasswordFile {
        try PasswordFile(parsing: TextFile.read(path: path))
    }

    public var entries: [Entry] {
        lines.compactMap { if case .entry(let e) = $0 { return e } else { return nil } }
    }

    public func entry(for username: String) -> Entry? {
        for case .entry(let e) in lines where e.username == username { return e }
        return nil
    }

    /// False for an unknown user as well as a wrong password.
    public func verify(username: String, password: [UInt8]) -> Bool {
        guard let entry = entry(for: username) else { return false }
        return entry.hash.verify(password)
    }

    /// Replaces the user's hash in place, or appends the user when new.
    public mutating func setHash(_ hash: PasswordHash, for username: String) throws {
        guard Self.isValidUsername(username) else { throw EditError.invalidUsername(username) }
        for i in lines.indices {
            if case .entry(var e) = lines[i], e.username == username {
                e.hash = hash
                lines[i] = .entry(e)
                return
            }
        }
        lines.append(.entry(Entry(username: username, hash: hash)))
    }

    /// Returns false when the user was not present.
    @discardableResult
    public mutating func removeUser(_ username: String) -> Bool {
        let before = lines.count
        lines.removeAll { if case .entry(let e) = $0 { return e.username == username } else { return false } }
        return lines.count != before
    }

    /// The file text, one line per entry or preserved line, newline-terminated.
    public func rendered() -> String {
        var out = ""
        for line in lines {
            switch line {
            case .entry(let e): out += "\(e.username):\(e.hash.encoded)\n"
            case .verbatim(let text): out += "\(text)\n"
            }
        }
        return out
    }

    /// Atomic replace with mode 0600: the file holds password hashes.
    public func write(to path: String) throws {
        try TextFile.writeAtomically(path: path, contents: rendered(), mode: 0o600)
    }

    /// mosquitto splits lines at the first ':' and trims blanks, so such names could never match.
    public static func isValidUsername(_ username: String) -> Bool {
        !username.isEmpty && !username.contains(":") && username.trimmingBlanks().count == username.count
            && !username.contains("\n") && !username.contains("\r")
    }
}

extension StringProtocol {
    /// Trims spaces and tabs at both ends (mosquitto's `misc__trimblanks`).
    func trimmingBlanks() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
