/// Thrown from inside `init(from:)` so that a bad value surfaces with its key
/// path and our own wording instead of a generic `DecodingError`.
struct ConfigFieldError: Error {
    let keyPath: String
    let problem: String

    init(keyPath: String, problem: String) {
        self.keyPath = keyPath
        self.problem = problem
    }

    init(codingPath: [any CodingKey], problem: String) {
        self.init(keyPath: ConfigKeyPath.render(codingPath), problem: problem)
    }
}
