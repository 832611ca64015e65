/// Describes whatever value sits at a decoder, for the "got ..." part of error
/// messages; the typed decode that failed no longer has it.
enum ConfigValue {
    static func describe(_ decoder: any Decoder) -> String {
        if let single = try? decoder.singleValueContainer() {
            if single.decodeNil() {
                return "null"
            }
            if let text = try? single.decode(String.self) {
                // Asking the decoder for a number (not parsing the text) keeps a quoted
                // "1883" quoted in the message, so it is clear why it was refused.
                let isNumber = (try? single.decode(Int.self)) != nil || (try? single.decode(Double.self)) != nil
                return isNumber ? text : render(text)
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

    /// Quotes and escapes a string value for an error message.
    static func render(_ text: String) -> String {
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
