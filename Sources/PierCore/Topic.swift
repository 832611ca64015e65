/// MQTT-form topic names and filters: validation and single-pair matching.
public enum Topic {
    public enum Problem: Error, Equatable, Sendable {
        case empty
        case containsNull
        case wildcardInName
        case misplacedWildcard
        case malformedSharedSubscription
        /// More than `maxLevels` levels.
        case tooManyLevels
    }

    /// The most levels a topic name or filter may have, mosquitto's `TOPIC_HIERARCHY_LIMIT`. Beyond it a
    /// publish is refused as an invalid topic name and a subscription as an invalid filter. It also bounds
    /// the depth of the subscription trie, whose match recursion follows the topic's levels.
    public static let maxLevels = 200

    /// True for the broker's own `$SYS` tree, which clients may not publish into unless an ACL rule grants it.
    public static func isSystem(_ topic: String) -> Bool {
        topic.utf8.starts(with: "$SYS".utf8) && (topic.utf8.count == 4 || topic.utf8.dropFirst(4).first == UInt8(ascii: "/"))
    }

    /// A publish topic: non-empty, no wildcards, no U+0000, at most `maxLevels` levels.
    /// The levels of a topic or filter. MQTT separates them by the byte "/", so this splits the UTF-8 bytes:
    /// `String.split` walks grapheme clusters (about 5 % of the broker's CPU in the QoS 0 p2p benchmark)
    /// and would not split where a combining mark follows the "/".
    public static func levels(of name: String) -> [Substring] {
        name.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
    }

    public static func validateName(_ name: String) -> Problem? {
        if name.isEmpty { return .empty }
        var levels = 1
        for b in name.utf8 {
            if b == 0 { return .containsNull }
            if b == UInt8(ascii: "+") || b == UInt8(ascii: "#") { return .wildcardInName }
            if b == UInt8(ascii: "/") { levels += 1 }
        }
        return levels > maxLevels ? .tooManyLevels : nil
    }

    /// A subscription filter: `+` fills a whole level, `#` is last and fills a whole level.
    public static func validateFilter(_ filter: String) -> Problem? {
        if filter.isEmpty { return .empty }
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if levels.count > maxLevels { return .tooManyLevels }
        for (i, level) in levels.enumerated() {
            for b in level {
                if b == 0 { return .containsNull }
                if b == UInt8(ascii: "+") || b == UInt8(ascii: "#") {
                    if level.count != 1 { return .misplacedWildcard }
                    if b == UInt8(ascii: "#") && i != levels.count - 1 { return .misplacedWildcard }
                }
            }
        }
        return nil
    }

    /// Splits `$share/group/filter` into its group and filter; nil for an ordinary filter.
    public static func parseShared(_ filter: String) -> (group: String, filter: String)? {
        guard filter.hasPrefix("$share/") else { return nil }
        let rest = filter.dropFirst("$share/".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let group = String(rest[rest.startIndex..<slash])
        let inner = String(rest[rest.index(after: slash)...])
        return (group, inner)
    }

    public static func validateSharedFilter(_ filter: String) -> Problem? {
        guard let (group, inner) = parseShared(filter) else { return .malformedSharedSubscription }
        if group.isEmpty || group.contains("+") || group.contains("#") { return .malformedSharedSubscription }
        return validateFilter(inner)
    }

    /// True when `topic` matches `filter`. Topics starting with `$` are not matched by a leading wildcard.
    public static func matches(filter: String, topic: String) -> Bool {
        walk(filter: filter, topic: topic, capturing: false) != nil
    }

    /// The one pairwise matcher (the subscription trie indexes the same rules): nil when `topic` does not
    /// match `filter`, else what the wildcards took — each `+` level in order, then for a `#` what it
    /// covered, levels joined by `/` (empty when it covered nothing). The bridge's address templates
    /// put these back; ACLs and queue policies only ask whether there is a match.
    public static func captures(filter: String, topic: String) -> [Substring]? {
        walk(filter: filter, topic: topic, capturing: true)
    }

    private static func walk(filter: String, topic: String, capturing: Bool) -> [Substring]? {
        let f = levels(of: filter)
        let t = levels(of: topic)
        if topic.utf8.first == UInt8(ascii: "$"), let first = f.first, first == "+" || first == "#" {
            return nil
        }
        var captured: [Substring] = []
        var i = 0
        while i < f.count {
            let level = f[i]
            if level == "#" {
                if capturing {
                    captured.append(i < t.count ? topic[t[i].startIndex...] : topic[topic.endIndex...])
                }
                return captured
            }
            if i >= t.count { return nil }
            if level == "+" {
                if capturing { captured.append(t[i]) }
            } else if !level.utf8.elementsEqual(t[i].utf8) {
                // Byte for byte, as MQTT compares topics: no Unicode normalisation.
                return nil
            }
            i += 1
        }
        return i == t.count ? captured : nil
    }
}
