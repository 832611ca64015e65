/// Text that is not one well-formed YAML document, with where it went wrong (1-based).
///
/// `problem` uses libyaml's own wording, prefixed by its context when it gave one
/// (`while parsing a block mapping: did not find expected key`).
public struct YAMLSyntaxError: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// libyaml's reader, scanner or parser refused the text, or an alias names no anchor.
        case malformed(problem: String)
        /// A mapping repeats these keys (sorted); the mark is the first one's first occurrence.
        case duplicateKeys([String])
    }

    public let kind: Kind
    public let line: Int
    public let column: Int

    public init(_ kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }
}
