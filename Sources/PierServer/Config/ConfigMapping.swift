#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strict, typed access to one YAML mapping of the config.
///
/// Each section's `init(from:)` goes through this so that unknown keys are
/// rejected, absent or null keys fall back to defaults, and every bad value
/// fails with its key path and the value that was actually written.
struct ConfigMapping<Key: CodingKey & CaseIterable> {
    private let container: KeyedDecodingContainer<ConfigCodingKey>
    let codingPath: [any CodingKey]

    init(_ decoder: any Decoder, keys: Key.Type = Key.self) throws(ConfigFieldError) {
        do {
            container = try decoder.container(keyedBy: ConfigCodingKey.self)
        } catch {
            throw ConfigFieldError(
                codingPath: decoder.codingPath,
                problem: "expected a mapping, got \(ConfigValue.describe(decoder))")
        }
        codingPath = decoder.codingPath
        let known = Set(Key.allCases.map(\.stringValue))
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw ConfigFieldError(codingPath: codingPath + [key], problem: "unknown key")
        }
    }

    /// The decoder for a key, or nil when the key is absent or explicitly null
    /// (`auth:` with nothing after it means "defaults", as in most YAML configs).
    func field(_ key: Key) -> (any Decoder)? {
        let anyKey = ConfigCodingKey(stringValue: key.stringValue)
        guard container.contains(anyKey),
              let decoder = try? container.superDecoder(forKey: anyKey)
        else { return nil }
        if let single = try? decoder.singleValueContainer(), single.decodeNil() {
            return nil
        }
        return decoder
    }

    func fail(_ key: Key, _ problem: String) -> ConfigFieldError {
        ConfigFieldError(codingPath: codingPath + [ConfigCodingKey(stringValue: key.stringValue)], problem: problem)
    }

    func integer<T: FixedWidthInteger>(
        _ key: Key, default defaultValue: T, min: T, max: T? = nil
    ) throws(ConfigFieldError) -> T {
        guard let decoder = field(key) else { return defaultValue }
        let expected = max.map { "expected an integer between \(min) and \($0)" }
            ?? "expected an integer of at least \(min)"
        guard let value = try? decoder.singleValueContainer().decode(Int.self) else {
            throw fail(key, "\(expected), got \(ConfigValue.describe(decoder))")
        }
        if value < min {
            throw fail(key, "must be at least \(min)")
        }
        if let max, value > max {
            throw fail(key, "must be at most \(max)")
        }
        guard let converted = T(exactly: value) else {
            throw fail(key, "\(expected), got \(value)")
        }
        return converted
    }

    func bool(_ key: Key, default defaultValue: Bool) throws(ConfigFieldError) -> Bool {
        guard let decoder = field(key) else { return defaultValue }
        guard let value = try? decoder.singleValueContainer().decode(Bool.self) else {
            throw fail(key, "expected true or false, got \(ConfigValue.describe(decoder))")
        }
        return value
    }

    /// A non-empty string; nil when absent.
    func string(_ key: Key) throws(ConfigFieldError) -> String? {
        guard let decoder = field(key) else { return nil }
        guard let value = try? decoder.singleValueContainer().decode(String.self) else {
            throw fail(key, "expected a string, got \(ConfigValue.describe(decoder))")
        }
        if value.isEmpty {
            throw fail(key, "must not be empty")
        }
        return value
    }

    func string(_ key: Key, default defaultValue: String) throws(ConfigFieldError) -> String {
        try string(key) ?? defaultValue
    }

    func choice<E: RawRepresentable & CaseIterable>(
        _ key: Key, default defaultValue: E
    ) throws(ConfigFieldError) -> E where E.RawValue == String {
        guard let decoder = field(key) else { return defaultValue }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = try? decoder.singleValueContainer().decode(String.self) else {
            throw fail(key, "expected one of: \(allowed), got \(ConfigValue.describe(decoder))")
        }
        guard let value = E(rawValue: text) else {
            throw fail(key, "unknown value \(ConfigValue.describe(decoder)) (expected one of: \(allowed))")
        }
        return value
    }

    /// A nested section; its own `init(from:)` reports errors inside it.
    func section<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        guard let decoder = field(key) else { return defaultValue }
        return try T(from: decoder)
    }

    func list<T: Decodable>(_ key: Key, default defaultValue: [T]) throws -> [T] {
        guard let decoder = field(key) else { return defaultValue }
        var items: any UnkeyedDecodingContainer
        do {
            items = try decoder.unkeyedContainer()
        } catch {
            throw fail(key, "expected a list, got \(ConfigValue.describe(decoder))")
        }
        var result: [T] = []
        while !items.isAtEnd {
            result.append(try items.decode(T.self))
        }
        return result
    }

    /// An IP literal or a host name; anything else (a port glued on, spaces)
    /// would only fail later at bind time with a vaguer message.
    func address(_ key: Key, default defaultValue: String) throws(ConfigFieldError) -> String {
        let value = try string(key, default: defaultValue)
        guard Self.isValidAddress(value) else {
            throw fail(key, "expected an IP address or host name, got \(ConfigValue.render(value))")
        }
        return value
    }

    static func isIPAddress(_ value: String) -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { raw in
            inet_pton(AF_INET, value, raw.baseAddress) == 1 || inet_pton(AF_INET6, value, raw.baseAddress) == 1
        }
    }

    static func isValidAddress(_ value: String) -> Bool {
        if isIPAddress(value) { return true }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        // All-numeric labels are a mistyped IPv4 address, not a host name.
        if labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        return !value.isEmpty && value.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }
}
