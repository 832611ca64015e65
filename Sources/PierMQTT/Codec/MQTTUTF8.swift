/// Strict UTF-8 validation for MQTT strings and payloads.
///
/// Written by hand rather than with `String(validating:as:)` because that initialiser needs macOS 15
/// while the package targets macOS 14, and because one pass can also report U+0000, which MQTT forbids
/// in strings. Control characters and non-characters (a "SHOULD NOT" in the spec) are accepted.
enum MQTTUTF8 {
    enum Result: Equatable {
        case valid
        /// Well-formed UTF-8 that contains U+0000.
        case containsNull
        /// Ill-formed: overlong forms, surrogates, code points over U+10FFFF, stray or missing continuation bytes.
        case invalid
    }

    static func validate(_ bytes: UnsafeRawBufferPointer) -> Result {
        var sawNull = false
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                if b0 == 0 { sawNull = true }
                i += 1
                continue
            }
            // 0x80-0xBF cannot start a sequence; 0xC0/0xC1 could only start overlong two-byte forms.
            if b0 < 0xC2 { return .invalid }
            if b0 < 0xE0 {
                guard i + 1 < n, isContinuation(bytes[i + 1]) else { return .invalid }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 2 < n else { return .invalid }
                let b1 = bytes[i + 1]
                // E0 needs A0.. to avoid overlong forms; ED stops at 9F to exclude the surrogates D800-DFFF.
                let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard b1 >= low, b1 <= high, isContinuation(bytes[i + 2]) else { return .invalid }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 3 < n else { return .invalid }
                let b1 = bytes[i + 1]
                // F0 needs 90.. to avoid overlong forms; F4 stops at 8F to stay within U+10FFFF.
                let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard b1 >= low, b1 <= high, isContinuation(bytes[i + 2]), isContinuation(bytes[i + 3]) else {
                    return .invalid
                }
                i += 4
            } else {
                return .invalid
            }
        }
        return sawNull ? .containsNull : .valid
    }

    @inline(__always)
    private static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
}
