/// A typed property value as seen by a selector. SQL NULL (an absent property) is `nil`
/// wherever a `SelectorValue?` appears.
public enum SelectorValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
}

// Literal conformances keep subject dictionaries in callers and tests readable.
extension SelectorValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

extension SelectorValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .bool(let value): return value ? "TRUE" : "FALSE"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "'" + value.replacing("'", with: "''") + "'"
        }
    }
}
