/// A value to write as YAML: what `pier import` produces, in the order it should appear.
public indirect enum YAMLValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([YAMLValue])
    /// Keys in the order given; writing the same key twice is the caller's mistake.
    case map([YAMLMapEntry])

    public static func map(_ entries: KeyValuePairs<String, YAMLValue>) -> YAMLValue {
        .map(entries.map { YAMLMapEntry(key: $0.key, value: $0.value) })
    }
}

/// One key of a `YAMLValue.map`.
public struct YAMLMapEntry: Equatable, Sendable {
    public let key: String
    public let value: YAMLValue

    public init(key: String, value: YAMLValue) {
        self.key = key
        self.value = value
    }
}
