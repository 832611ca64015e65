/// A directive the importer could not carry over as it was, and why, with the line it came from.
public struct ImportNote: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var directive: String
    public var message: String

    public init(file: String, line: Int, directive: String, message: String) {
        self.file = file
        self.line = line
        self.directive = directive
        self.message = message
    }

    init(_ directive: MosquittoDirective, _ message: String) {
        self.init(file: directive.file, line: directive.line, directive: directive.name, message: message)
    }

    public var description: String { "\(file):\(line): \(directive): \(message)" }
}
