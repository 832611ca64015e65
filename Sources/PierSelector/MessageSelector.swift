/// A compiled JMS 1.1 message selector (the SQL-92 conditional-expression subset, with
/// ActiveMQ's extensions: hex/octal literals and `L`/`F`/`D` suffixes).
///
/// Compile once with `init` (or `compile`), then evaluate against many messages; the value is
/// immutable and `Sendable`, so one instance can be shared across event loops.
public struct MessageSelector: Sendable {
    public let text: String
    /// Every identifier the selector reads, so a broker can decode just those properties.
    public let identifiers: Set<String>
    private let root: Expression

    /// Compiles `text`. Blank text is an error here: use `compile(_:)` to get ActiveMQ's
    /// "an empty selector means no selector" behaviour.
    public init(_ text: String) throws(SelectorError) {
        do {
            (root, identifiers) = try SelectorParser.parse(text)
        } catch {
            throw SelectorError(message: error.message,
                                offset: Self.characterOffset(ofScalar: error.offset, in: text))
        }
        self.text = text
    }

    /// `nil` for a nil, empty or whitespace-only selector, which JMS/ActiveMQ treat as
    /// "select every message"; otherwise the compiled selector.
    public static func compile(_ text: String?) throws(SelectorError) -> MessageSelector? {
        guard let text, !text.unicodeScalars.allSatisfy(Lexer.isWhitespace) else { return nil }
        return try MessageSelector(text)
    }

    /// True only when the selector evaluates to TRUE; FALSE and UNKNOWN both reject.
    public func matches(_ subject: some SelectorSubject) -> Bool {
        evaluate(subject) == true
    }

    /// The three-valued result: `nil` is UNKNOWN.
    public func evaluate(_ subject: some SelectorSubject) -> Bool? {
        Evaluator(subject: subject).truth(root)
    }

    /// The lexer counts Unicode scalars; the public contract is Characters.
    private static func characterOffset(ofScalar offset: Int, in text: String) -> Int {
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: offset, limitedBy: scalars.endIndex) else {
            return text.count
        }
        return String(scalars[..<end]).count
    }
}

extension MessageSelector: CustomStringConvertible {
    public var description: String { text }
}
