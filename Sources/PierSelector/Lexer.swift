/// Splits selector text into tokens. Works on Unicode scalars so identifiers and string
/// literals may contain any Unicode, while every decision that matters is ASCII.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(SelectorError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }

    private func error(_ message: String, at offset: Int) -> SelectorError {
        SelectorError(message: message, offset: offset)
    }

    mutating func next() throws(SelectorError) -> Token {
        while let scalar = peek(), Lexer.isWhitespace(scalar) { position += 1 }
        let start = position
        guard let scalar = peek() else { return Token(kind: .end, offset: start) }

        if Lexer.isIdentifierStart(scalar) { return lexWord() }
        if Lexer.isDigit(scalar) || (scalar == "." && peek(1).map(Lexer.isDigit) == true) {
            return Token(kind: try lexNumber(), offset: start)
        }
        if scalar == "'" { return Token(kind: try lexString(), offset: start) }

        position += 1
        let kind: TokenKind
        switch scalar {
        case "(": kind = .leftParen
        case ")": kind = .rightParen
        case ",": kind = .comma
        case "+": kind = .plus
        case "-": kind = .minus
        case "*": kind = .star
        case "/": kind = .slash
        case "=": kind = .equal
        case "<":
            if peek() == ">" { position += 1; kind = .notEqual }
            else if peek() == "=" { position += 1; kind = .lessEqual }
            else { kind = .less }
        case ">":
            if peek() == "=" { position += 1; kind = .greaterEqual } else { kind = .greater }
        case "!" where peek() == "=":
            throw error("'!=' is not a selector operator; use '<>'", at: start)
        case "\"":
            throw error("string literals use single quotes, not double quotes", at: start)
        default:
            throw error("unexpected character '\(scalar.escaped(asASCII: true))'", at: start)
        }
        return Token(kind: kind, offset: start)
    }

    private mutating func lexWord() -> Token {
        let start = position
        while let scalar = peek(), Lexer.isIdentifierPart(scalar) { position += 1 }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: scalars[start..<position])
        let text = String(word)
        // Only ASCII words can be keywords, so ASCII upper-casing is enough and avoids
        // Unicode case mapping turning e.g. "ın" into "IN".
        if text.utf8.allSatisfy({ $0 < 0x80 }), let keyword = Keyword(uppercased: Lexer.asciiUppercased(text)) {
            return Token(kind: .keyword(keyword), offset: start)
        }
        return Token(kind: .identifier(text), offset: start)
    }

    private mutating func lexString() throws(SelectorError) -> TokenKind {
        let start = position
        position += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw error("unterminated string literal", at: start) }
            position += 1
            if scalar == "'" {
                guard peek() == "'" else { return .string(String(value)) }
                position += 1
            }
            value.append(scalar)
        }
    }

    private mutating func lexNumber() throws(SelectorError) -> TokenKind {
        let start = position
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            position += 2
            let digits = consume(while: Lexer.isHexDigit)
            guard !digits.isEmpty else { throw error("hexadecimal literal has no digits", at: start) }
            consumeLongSuffix()
            try rejectIdentifierTail(start)
            guard let value = UInt64(digits, radix: 16) else {
                throw error("hexadecimal literal out of range", at: start)
            }
            return .integer(value)
        }

        let whole = consume(while: Lexer.isDigit)
        var fraction: String?
        var exponent = ""
        if peek() == "." {
            position += 1
            fraction = consume(while: Lexer.isDigit)
        }
        if let e = peek(), e == "e" || e == "E" {
            let exponentStart = position
            position += 1
            var sign = ""
            if let s = peek(), s == "+" || s == "-" { sign = String(s); position += 1 }
            let digits = consume(while: Lexer.isDigit)
            guard !digits.isEmpty else { throw error("exponent has no digits", at: exponentStart) }
            exponent = "e" + sign + digits
        }
        var floatSuffix = false
        if let s = peek(), "fFdD".unicodeScalars.contains(s) { position += 1; floatSuffix = true }

        if fraction != nil || !exponent.isEmpty || floatSuffix {
            try rejectIdentifierTail(start)
            // Normalised so the stdlib parser sees "d.de±d" whatever form "7." or ".5" took.
            let text = (whole.isEmpty ? "0" : whole) + "." + ((fraction ?? "").isEmpty ? "0" : fraction!) + exponent
            guard let value = Double(text) else { throw error("malformed numeric literal", at: start) }
            return .double(value)
        }

        consumeLongSuffix()
        try rejectIdentifierTail(start)
        // Java/ActiveMQ rule: a leading zero makes the literal octal.
        let octal = whole.count > 1 && whole.hasPrefix("0")
        if octal, !whole.unicodeScalars.allSatisfy({ $0 <= "7" }) {
            throw error("invalid digit in octal literal '\(whole)'", at: start)
        }
        guard let value = UInt64(whole, radix: octal ? 8 : 10) else {
            throw error("integer literal out of range", at: start)
        }
        return .integer(value)
    }

    private mutating func consumeLongSuffix() {
        if let s = peek(), s == "l" || s == "L" { position += 1 }
    }

    /// "12abc" or "0x1G" must not silently split into a number and an identifier.
    private func rejectIdentifierTail(_ start: Int) throws(SelectorError) {
        if let s = peek(), Lexer.isIdentifierPart(s) || s == "." {
            throw error("malformed numeric literal", at: start)
        }
    }

    private mutating func consume(while predicate: (Unicode.Scalar) -> Bool) -> String {
        let start = position
        while let s = peek(), predicate(s) { position += 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<position])
        return String(view)
    }

    private static func asciiUppercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{0C}"
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { s >= "0" && s <= "9" }

    static func isHexDigit(_ s: Unicode.Scalar) -> Bool {
        isDigit(s) || (s >= "a" && s <= "f") || (s >= "A" && s <= "F")
    }

    /// Approximates Java's Character.isJavaIdentifierStart with stdlib Unicode properties.
    static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            return (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_" || s == "$"
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .letterNumber, .currencySymbol, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    /// Approximates Java's Character.isJavaIdentifierPart.
    static func isIdentifierPart(_ s: Unicode.Scalar) -> Bool {
        if isIdentifierStart(s) || isDigit(s) { return true }
        if s.isASCII { return false }
        switch s.properties.generalCategory {
        case .decimalNumber, .spacingMark, .nonspacingMark: return true
        default: return false
        }
    }
}
