/// Describes whatever value sits at a decoder, for the "got ..." part of error
/// messages; the typed decode that failed no longer has it.
enum ConfigValue {
    static func describe(_ decoder: any Decoder) -> String {
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() {
                return "null"
            }
            if let text = try? single.decode(String.self) {
                return render(text)
            }
        }
        if (try? decoder.unkeyedContainer()) != nil {
            return "a list"
        }
        if (try? decoder.container(keyedBy: ConfigCodingKey.self)) != nil {
            return "a mapping"
        }
        return "an unsupported value"
    }

    /// Numbers are shown bare, everything else quoted, so `got 70000` and
    /// `got "abc"` read naturally.
    static func render(_ text: String) -> String {
        if Int(text) != nil || Double(text) != nil {
            return text
        }
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}
