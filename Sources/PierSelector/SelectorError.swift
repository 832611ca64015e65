/// A selector that cannot be compiled. `offset` is the position, in Characters from the start
/// of the selector text, of the token (or end of input) where the problem was detected.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at offset \(offset))" }
}
