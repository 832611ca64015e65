import PierCore
import Synchronization

/// Enforces an `ACLFile` with mosquitto 2.0's evaluation order:
///
/// 1. the client's own rules (its `user` section, or the anonymous section when it has no
///    username), deny rules first: a matching deny refuses, a matching rule granting the access allows;
/// 2. then the patterns, again deny first, after `%c`/`%u` substitution;
/// 3. otherwise refuse.
///
/// Subscriptions are checked for read access with filter coverage: a rule allows a subscription
/// only when every topic the subscription can match is matched by the rule's filter. Delivery is
/// still checked per message with `canRead`, so a wide subscription allowed by a wide rule cannot
/// read topics a narrower deny rule refuses.
public final class ACLAuthorizer: Authorizer {
    /// Nil when built from an in-memory file; `reload()` is then a no-op.
    public let path: String?
    private let compiled: Mutex<Compiled>

    public init(file: ACLFile) {
        self.path = nil
        self.compiled = Mutex(Compiled(file))
    }

    public init(path: String) throws {
        self.path = path
        self.compiled = Mutex(Compiled(try ACLFile.load(path: path)))
    }

    /// A file that fails to parse leaves the previous rules in force.
    public func reload() throws {
        guard let path else { return }
        let fresh = Compiled(try ACLFile.load(path: path))
        compiled.withLock { $0 = fresh }
    }

    public func canPublish(_ identity: ClientIdentity, topic: String) -> Bool {
        check(identity, target: topic, wantsWrite: true, isSubscription: false)
    }

    /// The admin console's tail reads every topic while its user still holds the `admin` grant (a reload
    /// that takes the grant away stops the tail's deliveries).
    public func canRead(_ identity: ClientIdentity, topic: String) -> Bool {
        if identity.listener == ClientIdentity.adminListener, let user = identity.username {
            return isAdmin(username: user)
        }
        return check(identity, target: topic, wantsWrite: false, isSubscription: false)
    }

    /// Only rules whose filter, as written, starts with `$` can grant a publish into `$SYS`: a leading
    /// wildcard never matches `$` topics, and a `%c`/`%u` substitution must not turn a client named
    /// `$SYS` into a grant. Deny rules still refuse as usual.
    public func canPublishSystem(_ identity: ClientIdentity, topic: String) -> Bool {
        check(identity, target: topic, wantsWrite: true, isSubscription: false, explicitDollarOnly: true)
    }

    public func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool {
        // A shared subscription reads the same topics as its inner filter.
        let inner = Topic.parseShared(filter)?.filter ?? filter
        return check(identity, target: inner, wantsWrite: false, isSubscription: true)
    }

    /// Queue rules, when the file has any: the client's own section, deny first, else refuse.
    public func canAccessQueue(_ identity: ClientIdentity, queue: String, write: Bool) -> Bool {
        let rules: [ACLFile.Rule]? = compiled.withLock { c in
            guard c.controlsQueues else { return nil }
            return identity.username.map { c.userQueues[$0] ?? [] } ?? c.anonymousQueues
        }
        guard let rules else { return true }
        let name = Destination.mqttName(fromDotted: queue)
        for rule in rules where Topic.matches(filter: rule.filter, topic: name) {
            if rule.access == .deny { return false }
            if write ? rule.access.allowsWrite : rule.access.allowsRead { return true }
        }
        return false
    }

    /// Whether the file's `user` section for `username` has an `admin` line (the HTTP admin API).
    public func isAdmin(username: String) -> Bool {
        compiled.withLock { $0.admins.contains(username) }
    }

    private struct Compiled: Sendable {
        var admins: Set<String>
        var anonymous: [ACLFile.Rule]
        var users: [String: [ACLFile.Rule]]
        var patterns: [ACLFile.Rule]
        var anonymousQueues: [ACLFile.Rule]
        var userQueues: [String: [ACLFile.Rule]]
        var controlsQueues: Bool

        init(_ file: ACLFile) {
            admins = file.admins
            anonymous = Self.denyFirst(file.anonymousRules)
            users = file.userRules.mapValues(Self.denyFirst)
            patterns = Self.denyFirst(file.patterns)
            anonymousQueues = Self.denyFirst(file.anonymousQueueRules)
            userQueues = file.userQueueRules.mapValues(Self.denyFirst)
            controlsQueues = file.controlsQueues
        }

        private static func denyFirst(_ rules: [ACLFile.Rule]) -> [ACLFile.Rule] {
            rules.filter { $0.access == .deny } + rules.filter { $0.access != .deny }
        }
    }

    private func check(_ identity: ClientIdentity, target: String, wantsWrite: Bool, isSubscription: Bool,
                       explicitDollarOnly: Bool = false) -> Bool {
        let rules = compiled.withLock { c in
            (own: identity.username.map { c.users[$0] ?? [] } ?? c.anonymous, patterns: c.patterns)
        }
        func decide(_ rule: ACLFile.Rule, filter: String) -> Bool? {
            let hit = isSubscription ? Self.covers(filter: filter, subscription: target) : Topic.matches(filter: filter, topic: target)
            guard hit else { return nil }
            if rule.access == .deny { return false }
            if explicitDollarOnly && rule.filter.utf8.first != UInt8(ascii: "$") { return nil }
            if wantsWrite ? rule.access.allowsWrite : rule.access.allowsRead { return true }
            return nil
        }

        for rule in rules.own {
            if let verdict = decide(rule, filter: rule.filter) { return verdict }
        }
        guard !rules.patterns.isEmpty else { return false }

        // A client naming itself "#" would otherwise turn `pattern readwrite %c/…` into a wildcard
        // over everyone's topics; mosquitto 2.0 refuses such clients outright once patterns exist.
        if identity.clientID.contains(where: Self.isWildcard) { return false }
        if let username = identity.username, username.contains(where: Self.isWildcard) { return false }

        for rule in rules.patterns {
            guard let filter = Self.substitute(rule.filter, identity: identity) else { continue }
            if let verdict = decide(rule, filter: filter) { return verdict }
        }
        return false
    }

    private static func isWildcard(_ c: Character) -> Bool { c == "+" || c == "#" }

    /// Replaces `%c` and `%u` anywhere in the pattern; nil when it uses `%u` and the client has no username.
    static func substitute(_ pattern: String, identity: ClientIdentity) -> String? {
        guard pattern.contains("%") else { return pattern }
        var out = ""
        var chars = pattern.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { out.append(c); continue }
            guard let next = chars.next() else { out.append(c); break }
            switch next {
            case "c": out += identity.clientID
            case "u":
                guard let username = identity.username else { return nil }
                out += username
            default:
                out.append(c)
                out.append(next)
            }
        }
        return out
    }

    /// True when every topic `subscription` can match is also matched by the ACL `filter`.
    ///
    /// Level by level: `#` in the ACL covers whatever remains (including nothing, so `a/#` covers
    /// `a`); `+` in the ACL covers one level of anything except `#`; a literal ACL level covers only
    /// the same literal. Mirrors mosquitto's `mosquitto_sub_matches_acl`, including that a filter
    /// starting with `$` and one that does not never cover each other.
    static func covers(filter: String, subscription: String) -> Bool {
        if filter.utf8.first == UInt8(ascii: "$") || subscription.utf8.first == UInt8(ascii: "$") {
            guard filter.utf8.first == subscription.utf8.first else { return false }
        }
        let acl = filter.split(separator: "/", omittingEmptySubsequences: false)
        let sub = subscription.split(separator: "/", omittingEmptySubsequences: false)
        var i = 0
        while i < acl.count {
            if acl[i] == "#" { return true }
            if i >= sub.count { return false }
            if acl[i] == "+" {
                if sub[i] == "#" { return false }
            } else if acl[i] != sub[i] {
                return false
            }
            i += 1
        }
        return i == sub.count
    }
}
