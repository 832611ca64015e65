/// Recursive-descent parser producing an `Expression`, one function per precedence level:
/// OR < AND < NOT < predicate (comparison, BETWEEN, LIKE, IN, IS) < + - < * / < unary < primary.
///
/// Besides syntax it rejects expressions whose static type can never work (e.g. `'a' + 1`, or a
/// number where a condition is required), the way ActiveMQ rejects them when it builds its tree.
/// Operands whose type is only known at run time (identifiers, NULL) are always accepted.
struct SelectorParser {
    /// Bounds both parser recursion and tree height so hostile input cannot exhaust the stack
    /// in parsing, evaluation or deinitialisation of the tree.
    static let maxDepth = 256

    enum StaticType { case boolean, numeric, string, unknown }

    struct Node {
        var expression: Expression
        var type: StaticType
        var depth: Int
        var offset: Int
    }

    private let tokens: [Token]
    private var index = 0
    private var nesting = 0
    private var identifiers: Set<String> = []

    private init(tokens: [Token]) { self.tokens = tokens }

    /// Offsets in the returned error are Unicode scalar offsets; `MessageSelector` converts them.
    static func parse(_ text: String) throws(SelectorError) -> (Expression, Set<String>) {
        var parser = SelectorParser(tokens: try Lexer.tokenize(text))
        if parser.current.kind == .end { throw SelectorError(message: "empty selector", offset: 0) }
        let root = try parser.parseOr()
        switch parser.current.kind {
        case .end: break
        case .rightParen: throw parser.error("unbalanced ')'")
        default: throw parser.error("unexpected \(parser.current.kind.display) after a complete expression")
        }
        return (try parser.condition(root), parser.identifiers)
    }

    // MARK: - Token helpers

    private var current: Token { tokens[index] }

    /// Keeps the TokenKind temporaries of a comparison out of the (recursive) caller's frame.
    private func at(_ kind: TokenKind) -> Bool { tokens[index].kind == kind }

    private func atPredicate() -> Bool {
        let kind = tokens[index].kind
        return kind == .keyword(.not) || kind.startsPredicate
    }

    private func atSign() -> Bool { at(.plus) || at(.minus) }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if token.kind != .end { index += 1 }
        return token
    }

    private mutating func accept(_ kind: TokenKind) -> Bool {
        guard current.kind == kind else { return false }
        advance()
        return true
    }

    private func error(_ message: String, at offset: Int? = nil) -> SelectorError {
        SelectorError(message: message, offset: offset ?? current.offset)
    }

    private func found() -> String {
        current.kind == .end ? "reached end of input" : "found \(current.kind.display)"
    }

    private mutating func enterNesting(at offset: Int) throws(SelectorError) {
        nesting += 1
        if nesting > Self.maxDepth {
            throw error("expression nested too deeply (limit \(Self.maxDepth))", at: offset)
        }
    }

    private func node(
        _ expression: Expression, _ type: StaticType, at offset: Int, children: Node...
    ) throws(SelectorError) -> Node {
        let depth = 1 + children.reduce(0) { max($0, $1.depth) }
        if depth > Self.maxDepth {
            throw error("expression nested too deeply (limit \(Self.maxDepth))", at: offset)
        }
        return Node(expression: expression, type: type, depth: depth, offset: offset)
    }

    // MARK: - Static type checks

    private static func describe(_ type: StaticType) -> String {
        switch type {
        case .boolean: return "a condition"
        case .numeric: return "a numeric expression"
        case .string: return "a string"
        case .unknown: return "an identifier"
        }
    }

    /// Where a truth value is required. Identifiers are cast at run time (ActiveMQ allows a bare
    /// boolean property such as `flag` or `NOT flag`).
    private func condition(_ node: Node) throws(SelectorError) -> Expression {
        switch node.type {
        case .boolean: return node.expression
        case .unknown:
            if case .identifier = node.expression { return .booleanCast(node.expression) }
            return node.expression
        case .numeric, .string:
            throw error("expected a condition but found \(Self.describe(node.type))", at: node.offset)
        }
    }

    private func requireNumeric(_ node: Node, for context: String) throws(SelectorError) {
        if node.type == .boolean || node.type == .string {
            throw error("\(context) requires a numeric operand, not \(Self.describe(node.type))", at: node.offset)
        }
    }

    private func requireString(_ node: Node, for context: String) throws(SelectorError) {
        if node.type == .boolean || node.type == .numeric {
            throw error("\(context) requires a string operand, not \(Self.describe(node.type))", at: node.offset)
        }
    }

    // MARK: - Logical levels

    // The functions on the recursive spine (parseOr ... parsePrimary) only dispatch: whatever
    // they do beyond one call lives in a helper, because at -Onone every local of a function
    // stays in its frame and one '(' level passes through all of them.

    private mutating func parseOr() throws(SelectorError) -> Node {
        let first = try parseAnd()
        guard at(.keyword(.or)) else { return first }
        return try parseChain(first, separator: .or)
    }

    private mutating func parseAnd() throws(SelectorError) -> Node {
        let first = try parseNot()
        guard at(.keyword(.and)) else { return first }
        return try parseChain(first, separator: .and)
    }

    private mutating func parseChain(_ first: Node, separator: Keyword) throws(SelectorError) -> Node {
        var terms = [try condition(first)]
        var depth = first.depth
        while accept(.keyword(separator)) {
            let term = separator == .or ? try parseAnd() : try parseNot()
            terms.append(try condition(term))
            depth = max(depth, term.depth)
        }
        let expression: Expression = separator == .or ? .or(terms) : .and(terms)
        return Node(expression: expression, type: .boolean, depth: depth + 1, offset: first.offset)
    }

    private mutating func parseNot() throws(SelectorError) -> Node {
        guard at(.keyword(.not)) else { return try parsePredicate() }
        return try parseNegation()
    }

    private mutating func parseNegation() throws(SelectorError) -> Node {
        let not = advance()
        try enterNesting(at: not.offset)
        defer { nesting -= 1 }
        let operand = try parseNot()
        return try node(.not(try condition(operand)), .boolean, at: not.offset, children: operand)
    }

    // MARK: - Predicates

    private mutating func parsePredicate() throws(SelectorError) -> Node {
        let left = try parseAdditive()
        guard atPredicate() else { return left }
        return try parsePredicateTail(left)
    }

    private mutating func parsePredicateTail(_ left: Node) throws(SelectorError) -> Node {
        let opToken = current
        let result: Node
        if let op = opToken.kind.comparisonOperator {
            advance()
            let right = try parseAdditive()
            if op != .equal && op != .notEqual {
                try requireNumeric(left, for: opToken.kind.display)
                try requireNumeric(right, for: opToken.kind.display)
            }
            result = try node(.comparison(op, left.expression, right.expression), .boolean,
                              at: left.offset, children: left, right)
        } else if opToken.kind == .keyword(.is) {
            advance()
            let negated = accept(.keyword(.not))
            guard accept(.keyword(.null)) else { throw error("expected NULL after IS\(negated ? " NOT" : ""), \(found())") }
            result = try node(.isNull(left.expression, negated: negated), .boolean, at: left.offset, children: left)
        } else if opToken.kind == .keyword(.not) || opToken.kind.startsPredicate {
            let negated = accept(.keyword(.not))
            switch current.kind {
            case .keyword(.between): result = try parseBetween(left, negated: negated)
            case .keyword(.like): result = try parseLike(left, negated: negated)
            case .keyword(.in): result = try parseIn(left, negated: negated)
            default: throw error("expected BETWEEN, LIKE or IN after NOT, \(found())")
            }
        } else {
            return left
        }
        if current.kind.startsPredicate {
            throw error("comparisons cannot be chained; use parentheses and AND/OR")
        }
        return result
    }

    private mutating func parseBetween(_ value: Node, negated: Bool) throws(SelectorError) -> Node {
        advance()
        try requireNumeric(value, for: "BETWEEN")
        let lower = try parseAdditive()
        try requireNumeric(lower, for: "BETWEEN")
        guard accept(.keyword(.and)) else { throw error("expected AND in BETWEEN, \(found())") }
        let upper = try parseAdditive()
        try requireNumeric(upper, for: "BETWEEN")
        return try node(.between(value.expression, lower: lower.expression, upper: upper.expression, negated: negated),
                        .boolean, at: value.offset, children: value, lower, upper)
    }

    private mutating func parseLike(_ value: Node, negated: Bool) throws(SelectorError) -> Node {
        advance()
        try requireString(value, for: "LIKE")
        let patternToken = current
        guard case .string(let pattern) = patternToken.kind else {
            throw error("LIKE requires a string literal pattern, \(found())")
        }
        advance()
        var escape: Unicode.Scalar?
        if accept(.keyword(.escape)) {
            guard case .string(let escapeText) = current.kind else {
                throw error("ESCAPE requires a string literal, \(found())")
            }
            let scalars = escapeText.unicodeScalars
            guard scalars.count == 1, let scalar = scalars.first else {
                throw error("ESCAPE string must be exactly one character, found \(scalars.count)")
            }
            advance()
            escape = scalar
        }
        let compiled: LikePattern
        do {
            compiled = try LikePattern(pattern, escape: escape)
        } catch {
            throw self.error("LIKE pattern ends with the escape character", at: patternToken.offset)
        }
        return try node(.like(value.expression, compiled, negated: negated), .boolean, at: value.offset, children: value)
    }

    private mutating func parseIn(_ value: Node, negated: Bool) throws(SelectorError) -> Node {
        advance()
        try requireString(value, for: "IN")
        guard accept(.leftParen) else { throw error("expected '(' after IN, \(found())") }
        var members: Set<ExactString> = []
        repeat {
            guard case .string(let member) = current.kind else {
                throw error("IN list may contain only string literals, \(found())")
            }
            advance()
            members.insert(ExactString(member))
        } while accept(.comma)
        guard accept(.rightParen) else { throw error("expected ',' or ')' in IN list, \(found())") }
        return try node(.inList(value.expression, members, negated: negated), .boolean, at: value.offset, children: value)
    }

    // MARK: - Arithmetic

    private func atAdditive() -> Bool { tokens[index].kind.additiveOperator != nil }
    private func atMultiplicative() -> Bool { tokens[index].kind.multiplicativeOperator != nil }

    private mutating func parseAdditive() throws(SelectorError) -> Node {
        var left = try parseMultiplicative()
        while atAdditive() {
            left = try extendArithmetic(left)
        }
        return left
    }

    private mutating func parseMultiplicative() throws(SelectorError) -> Node {
        var left = try parseUnary()
        while atMultiplicative() {
            left = try extendArithmetic(left)
        }
        return left
    }

    /// Consumes one binary arithmetic operator and its right operand, both at `left`'s level.
    private mutating func extendArithmetic(_ left: Node) throws(SelectorError) -> Node {
        let opToken = advance()
        let op: Expression.ArithmeticOperator
        let right: Node
        if let additive = opToken.kind.additiveOperator {
            op = additive
            right = try parseMultiplicative()
        } else {
            op = opToken.kind.multiplicativeOperator ?? .multiply
            right = try parseUnary()
        }
        try requireNumeric(left, for: opToken.kind.display)
        try requireNumeric(right, for: opToken.kind.display)
        return try node(.arithmetic(op, left.expression, right.expression), .numeric,
                        at: left.offset, children: left, right)
    }

    private mutating func parseUnary() throws(SelectorError) -> Node {
        guard atSign() else { return try parsePrimary() }
        return try parseSigned()
    }

    private mutating func parseSigned() throws(SelectorError) -> Node {
        let sign = advance()
        // Folding "-<integer>" here is what makes -9223372036854775808 expressible.
        if sign.kind == .minus, case .integer(let magnitude) = current.kind {
            let literal = advance()
            guard magnitude <= UInt64(Int64.max) + 1 else {
                throw error("integer literal out of range", at: literal.offset)
            }
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            return try node(.literal(.int(value)), .numeric, at: sign.offset)
        }
        try enterNesting(at: sign.offset)
        defer { nesting -= 1 }
        let operand = try parseUnary()
        try requireNumeric(operand, for: "unary \(sign.kind.display)")
        let expression: Expression = sign.kind == .minus ? .negate(operand.expression) : .unaryPlus(operand.expression)
        return try node(expression, .numeric, at: sign.offset, children: operand)
    }

    private mutating func parsePrimary() throws(SelectorError) -> Node {
        guard at(.leftParen) else { return try parseAtom() }
        return try parseParenthesized()
    }

    private mutating func parseParenthesized() throws(SelectorError) -> Node {
        let open = advance()
        try enterNesting(at: open.offset)
        defer { nesting -= 1 }
        var inner = try parseOr()
        guard accept(.rightParen) else {
            throw error("expected ')' to close the '(' opened earlier, \(found())")
        }
        inner.offset = open.offset
        return inner
    }

    /// Everything primary except '(': never recurses.
    private mutating func parseAtom() throws(SelectorError) -> Node {
        let token = current
        switch token.kind {
        case .integer(let magnitude):
            advance()
            guard let value = Int64(exactly: magnitude) else { throw error("integer literal out of range", at: token.offset) }
            return try node(.literal(.int(value)), .numeric, at: token.offset)
        case .double(let value):
            advance()
            return try node(.literal(.double(value)), .numeric, at: token.offset)
        case .string(let value):
            advance()
            return try node(.literal(.string(value)), .string, at: token.offset)
        case .keyword(.true), .keyword(.false):
            advance()
            return try node(.literal(.bool(token.kind == .keyword(.true))), .boolean, at: token.offset)
        case .keyword(.null):
            advance()
            return try node(.literal(nil), .unknown, at: token.offset)
        case .identifier(let name):
            advance()
            identifiers.insert(name)
            return try node(.identifier(name), .unknown, at: token.offset)
        case .keyword(let keyword):
            throw error("expected an expression but found keyword \(keyword.rawValue) (reserved words cannot be identifiers)")
        default:
            throw error("expected an expression but \(found())")
        }
    }
}
