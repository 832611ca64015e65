/// Why a configuration could not be loaded.
///
/// `description` is meant to be shown to the operator as is, so every case
/// says where the problem is (file, line/column or key path) and what it is.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read; `reason` is the system's message.
    case fileUnreadable(path: String, reason: String)
    /// The text is not valid YAML.
    case syntax(file: String?, line: Int, column: Int, problem: String)
    /// The YAML is valid but a value is not; `keyPath` looks like `listeners[0].port`.
    case invalid(file: String?, keyPath: String, problem: String)

    public var description: String {
        switch self {
        case let .fileUnreadable(path, reason):
            return "config file \(path): \(reason)"
        case let .syntax(file, line, column, problem):
            return Self.prefix(file) + "line \(line), column \(column): \(problem)"
        case let .invalid(file, keyPath, problem):
            return Self.prefix(file) + "\(keyPath): \(problem)"
        }
    }

    /// The key path of an `invalid` error, for callers that want to point at it.
    public var keyPath: String? {
        if case let .invalid(_, keyPath, _) = self { return keyPath }
        return nil
    }

    func inFile(_ path: String) -> ConfigError {
        switch self {
        case .fileUnreadable:
            return self
        case let .syntax(_, line, column, problem):
            return .syntax(file: path, line: line, column: column, problem: problem)
        case let .invalid(_, keyPath, problem):
            return .invalid(file: path, keyPath: keyPath, problem: problem)
        }
    }

    private static func prefix(_ file: String?) -> String {
        file.map { "\($0): " } ?? ""
    }
}
