/// A scalar as written, and how YAML 1.1's core schema reads it.
///
/// The rules are the ones Pier's config used through Yams (so existing files keep their meaning):
/// only plain (unquoted) scalars are ever null, booleans or numbers, so `"1883"` stays a string;
/// integers may be hex (`0x`), octal (`0o` or a leading `0`), binary (`0b`), contain `_` or be
/// base 60 (`1:30`); booleans are `true/false/yes/no/on/off` in the usual three spellings.
public struct YAMLScalar: Sendable {
    public let text: String
    /// Written without quotes and not as a block (`|`, `>`) scalar.
    public let isPlain: Bool
    /// An explicit tag (`!!str`, `!!int`, ...), in libyaml's expanded form; nil when implicit.
    public let tag: String?
    public let mark: YAMLMark

    public init(text: String, isPlain: Bool, tag: String? = nil, mark: YAMLMark) {
        self.text = text
        self.isPlain = isPlain
        self.tag = tag
        self.mark = mark
    }

    private static let tagPrefix = "tag:yaml.org,2002:"
    private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let trueWords: Set<String> = ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"]
    private static let falseWords: Set<String> = ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"]

    /// `~`, `null` or nothing at all, unquoted.
    public var isNull: Bool {
        isPlain && tag == nil && Self.nullWords.contains(text)
    }

    /// `<<`, the merge key.
    var isMergeKey: Bool {
        isPlain && text == "<<"
    }

    public var bool: Bool? {
        if tag == Self.tagPrefix + "bool" {
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: return nil
            }
        }
        guard isPlain, tag == nil else { return nil }
        if Self.trueWords.contains(text) { return true }
        if Self.falseWords.contains(text) { return false }
        return nil
    }

    public var int: Int? {
        guard isPlain || tag == Self.tagPrefix + "int" else { return nil }
        var digits = text.filter { $0 != "_" }
        if digits == "0" { return 0 }
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits.removeFirst() }
        let sign = negative ? "-" : ""
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(sign + digits.dropFirst(prefix.count), radix: radix)
        }
        if digits.contains(":") {
            return Self.sexagesimal(digits, negative: negative) { Int($0).map(Double.init) }.flatMap { Int(exactly: $0) }
        }
        return Int(sign + digits)
    }

    public var double: Double? {
        guard isPlain || tag == Self.tagPrefix + "float" else { return nil }
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: break
        }
        let digits = text.filter { $0 != "_" }
        if digits.contains(":") {
            var unsigned = digits
            let negative = unsigned.hasPrefix("-")
            if negative || unsigned.hasPrefix("+") { unsigned.removeFirst() }
            return Self.sexagesimal(unsigned, negative: negative, Double.init)
        }
        return Double(digits)
    }

    /// `1:30:00` style numbers: each part is a digit of base 60.
    private static func sexagesimal(_ text: String, negative: Bool, _ parse: (String) -> Double?) -> Double? {
        var value = 0.0
        for part in text.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = parse(String(part)) else { return nil }
            value = value * 60 + digit
        }
        return negative ? -value : value
    }
}
