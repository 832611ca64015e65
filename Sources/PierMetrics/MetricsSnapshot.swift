/// Samples read back from the registry's own exposition: swift-prometheus keeps values write-only, and
/// reading what `/metrics` serves is what keeps `$SYS` and the admin API equal to it.
public struct MetricsSnapshot: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public private(set) var samples: [Sample] = []
    private var byName: [String: [Int]] = [:]

    public init(exposition: [UInt8]) {
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let sample = Self.parse(line) else { continue }
            byName[sample.name, default: []].append(samples.count)
            samples.append(sample)
        }
    }

    /// The sample with exactly these labels.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        byName[name]?.lazy.map { samples[$0] }.first { $0.labels == labels }?.value
    }

    /// The sum over every sample of `name` whose labels include `matching`.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double {
        (byName[name] ?? []).map { samples[$0] }
            .filter { s in matching.allSatisfy { s.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// Integer form for counters and gauges that count things.
    public func count(_ name: String, matching: [String: String] = [:]) -> Int {
        Int(sum(name, matching: matching))
    }

    /// One sample line of the text format: `name{a="x",b="y"} value` or `name value`.
    static func parse(_ line: Substring) -> Sample? {
        let chars = Array(line.utf8)
        var i = 0
        while i < chars.count, chars[i] != UInt8(ascii: "{"), chars[i] != UInt8(ascii: " ") { i += 1 }
        guard i > 0, i < chars.count else { return nil }
        let name = String(decoding: chars[0..<i], as: UTF8.self)
        var labels: [String: String] = [:]
        if chars[i] == UInt8(ascii: "{") {
            i += 1
            while i < chars.count, chars[i] != UInt8(ascii: "}") {
                let keyStart = i
                while i < chars.count, chars[i] != UInt8(ascii: "=") { i += 1 }
                guard i + 1 < chars.count, chars[i + 1] == UInt8(ascii: "\"") else { return nil }
                let key = String(decoding: chars[keyStart..<i], as: UTF8.self)
                i += 2
                var value: [UInt8] = []
                while i < chars.count, chars[i] != UInt8(ascii: "\"") {
                    if chars[i] == UInt8(ascii: "\\"), i + 1 < chars.count {
                        i += 1
                        value.append(chars[i] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : chars[i])
                    } else {
                        value.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { return nil }
                labels[key] = String(decoding: value, as: UTF8.self)
                i += 1
                if i < chars.count, chars[i] == UInt8(ascii: ",") { i += 1 }
            }
            i += 1
        }
        let rest = String(decoding: chars[min(i, chars.count)...], as: UTF8.self).split(separator: " ")
        guard let text = rest.first else { return nil }
        let value: Double
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let v = Double(text) else { return nil }
            value = v
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
