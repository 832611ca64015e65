/// An invalid combination of benchmark options, with a message naming the option.
public struct BenchConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
