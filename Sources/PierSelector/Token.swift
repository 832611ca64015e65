/// Reserved words; matched case-insensitively and never usable as identifiers.
enum Keyword: String, CaseIterable, Sendable {
    case not = "NOT", and = "AND", or = "OR", between = "BETWEEN", like = "LIKE"
    case `in` = "IN", `is` = "IS", escape = "ESCAPE", null = "NULL", `true` = "TRUE", `false` = "FALSE"

    /// `word` must already be upper-cased ASCII; identifiers with other letters can't be keywords.
    init?(uppercased word: String) { self.init(rawValue: word) }
}

enum TokenKind: Equatable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    case string(String)
    /// Magnitude only: a leading '-' is a separate token, and keeping the sign out lets the parser
    /// accept -9223372036854775808 whose magnitude does not fit Int64.
    case integer(UInt64)
    case double(Double)
    case leftParen, rightParen, comma
    case plus, minus, star, slash
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case end

    var display: String {
        switch self {
        case .identifier(let name): return "identifier '\(name)'"
        case .keyword(let keyword): return keyword.rawValue
        case .string: return "string literal"
        case .integer, .double: return "numeric literal"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .comma: return "','"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .equal: return "'='"
        case .notEqual: return "'<>'"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .end: return "end of input"
        }
    }
}

// Which operator a token stands for at each precedence level; nil when it is not one.
extension TokenKind {
    var comparisonOperator: Expression.ComparisonOperator? {
        switch self {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    var additiveOperator: Expression.ArithmeticOperator? {
        self == .plus ? .add : self == .minus ? .subtract : nil
    }

    var multiplicativeOperator: Expression.ArithmeticOperator? {
        self == .star ? .multiply : self == .slash ? .divide : nil
    }

    /// Tokens that continue an operand into a predicate (the NOT of NOT LIKE is handled apart).
    var startsPredicate: Bool {
        switch self {
        case .keyword(.between), .keyword(.like), .keyword(.in), .keyword(.is): return true
        default: return comparisonOperator != nil
        }
    }
}

struct Token: Sendable {
    var kind: TokenKind
    /// Unicode scalar offset; converted to a Character offset only when an error is reported.
    var offset: Int
}
