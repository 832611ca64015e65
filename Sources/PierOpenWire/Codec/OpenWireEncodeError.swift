/// Why a command could not be marshalled. ActiveMQ fails the send with an IOException in the same cases
/// (`writeUTF` refusing more than 65535 bytes, a short count overflowing), so the peer never sees a
/// frame it could not read back.
public struct OpenWireEncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A string whose modified UTF-8 form is over 65535 bytes, the most a 2-byte length can say.
        case stringTooLong(utf8Length: Int)
        /// An object array or stack trace with more than 32767 elements (its count is a Java short).
        case arrayTooLong(count: Int)
        /// Bytes or a body longer than `Int32.max`.
        case bytesTooLong(count: Int)
        /// Values nested deeper than the limit (they would not decode again).
        case nestingTooDeep(limit: Int)
    }

    public var reason: Reason
    public var field: String

    public init(_ reason: Reason, field: String) {
        self.reason = reason
        self.field = field
    }

    public var description: String {
        switch reason {
        case .stringTooLong(let n): return "\(field): string of \(n) modified UTF-8 bytes exceeds 65535"
        case .arrayTooLong(let n): return "\(field): \(n) elements exceed 32767"
        case .bytesTooLong(let n): return "\(field): \(n) bytes exceed Int32.max"
        case .nestingTooDeep(let limit): return "\(field): nesting deeper than \(limit)"
        }
    }
}
