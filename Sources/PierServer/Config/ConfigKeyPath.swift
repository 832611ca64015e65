/// Renders decoder coding paths in the `listeners[0].port` form used in every
/// config error message.
enum ConfigKeyPath {
    static let root = "(top level)"

    static func render(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? root : text
    }
}
