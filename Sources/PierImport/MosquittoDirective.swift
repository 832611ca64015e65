/// One line of a mosquitto config: its name, its arguments, and where it was written.
public struct MosquittoDirective: Equatable, Sendable {
    public var name: String
    /// The rest of the line split on whitespace; `value` is the rest of the line as written.
    public var arguments: [String]
    public var value: String
    public var file: String
    public var line: Int

    public init(name: String, arguments: [String], value: String, file: String, line: Int) {
        self.name = name
        self.arguments = arguments
        self.value = value
        self.file = file
        self.line = line
    }

    public var location: String { "\(file):\(line)" }
}
