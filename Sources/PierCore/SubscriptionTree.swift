/// The topic trie that maps filters to subscribed sessions. Not thread-safe by itself: the broker guards it.
/// Matching walks exact, `+` and `#` children level by level, so cost follows topic depth, not subscription count.
final class SubscriptionTree {
    struct Entry {
        var session: Session
        var options: SubscriptionOptions
    }

    final class SharedGroup {
        var members: [Entry] = []
        var next = 0
    }

    /// The plain (unshared) subscribers of one node, by session. Most nodes of a broker full of devices
    /// hold one (a topic of its own per device), so that one is kept inline and a dictionary is made only
    /// for a second: an empty one-entry dictionary is a 128-byte allocation per subscribed device.
    struct Subscribers {
        private enum Storage {
            case none
            case one(Entry)
            case many([ObjectIdentifier: Entry])
        }

        private var storage = Storage.none

        var isEmpty: Bool {
            if case .none = storage { return true }
            return false
        }

        /// Adds or replaces `entry`'s session's subscription; true when the session had none here.
        mutating func update(_ entry: Entry) -> Bool {
            switch storage {
            case .none:
                storage = .one(entry)
                return true
            case .one(let existing):
                if existing.session === entry.session {
                    storage = .one(entry)
                    return false
                }
                storage = .many([ObjectIdentifier(existing.session): existing, ObjectIdentifier(entry.session): entry])
                return true
            case .many(var map):
                storage = .none  // so `map` is uniquely referenced while it changes
                let isNew = map.updateValue(entry, forKey: ObjectIdentifier(entry.session)) == nil
                storage = .many(map)
                return isNew
            }
        }

        /// Removes `session`'s subscription; false when it had none here.
        mutating func remove(_ session: Session) -> Bool {
            switch storage {
            case .none:
                return false
            case .one(let existing):
                guard existing.session === session else { return false }
                storage = .none
                return true
            case .many(var map):
                storage = .none
                let removed = map.removeValue(forKey: ObjectIdentifier(session)) != nil
                if map.count == 1, let last = map.values.first {
                    storage = .one(last)
                } else {
                    storage = .many(map)
                }
                return removed
            }
        }

        func append(to entries: inout [Entry]) {
            switch storage {
            case .none: break
            case .one(let entry): entries.append(entry)
            case .many(let map): entries.append(contentsOf: map.values)
            }
        }
    }

    final class Node {
        var children: [Substring: Node] = [:]
        var plus: Node?
        var hash: Node?
        var subscribers = Subscribers()
        var shared: [String: SharedGroup] = [:]

        var isEmpty: Bool {
            children.isEmpty && plus == nil && hash == nil && subscribers.isEmpty && shared.isEmpty
        }
    }

    struct Match {
        var entries: [Entry] = []
        var sharedGroups: [SharedGroup] = []
    }

    private let root = Node()
    private(set) var count = 0

    /// Returns true when the filter was new for this session.
    @discardableResult
    func insert(filter: String, shareGroup: String?, session: Session, options: SubscriptionOptions) -> Bool {
        let node = self.node(for: filter)
        let entry = Entry(session: session, options: options)
        if let shareGroup {
            let group = node.shared[shareGroup] ?? SharedGroup()
            node.shared[shareGroup] = group
            if let i = group.members.firstIndex(where: { $0.session === session }) {
                group.members[i] = entry
                return false
            }
            group.members.append(entry)
            count += 1
            return true
        }
        let isNew = node.subscribers.update(entry)
        if isNew { count += 1 }
        return isNew
    }

    @discardableResult
    func remove(filter: String, shareGroup: String?, session: Session) -> Bool {
        var path: [(Node, Substring)] = []
        var node = root
        for level in Topic.levels(of: filter) {
            let next: Node?
            switch level {
            case "+": next = node.plus
            case "#": next = node.hash
            default: next = node.children[level]
            }
            guard let next else { return false }
            path.append((node, level))
            node = next
        }
        var removed = false
        if let shareGroup {
            if let group = node.shared[shareGroup], let i = group.members.firstIndex(where: { $0.session === session }) {
                group.members.remove(at: i)
                if group.members.isEmpty { node.shared[shareGroup] = nil }
                removed = true
            }
        } else {
            removed = node.subscribers.remove(session)
        }
        if removed { count -= 1 }
        // Prune empty branches so churn of unique filters doesn't leak nodes.
        var child = node
        for (parent, level) in path.reversed() {
            guard child.isEmpty else { break }
            switch level {
            case "+": parent.plus = nil
            case "#": parent.hash = nil
            default: parent.children[level] = nil
            }
            child = parent
        }
        return removed
    }

    func match(topic: String) -> Match {
        var result = Match()
        let levels = Topic.levels(of: topic)
        let dollar = topic.utf8.first == UInt8(ascii: "$")
        collect(node: root, levels: levels[...], isRoot: true, dollar: dollar, into: &result)
        return result
    }

    private func collect(node: Node, levels: ArraySlice<Substring>, isRoot: Bool, dollar: Bool, into result: inout Match) {
        let wildcardsAllowed = !(isRoot && dollar)
        if wildcardsAllowed, let hash = node.hash {
            add(hash, into: &result)
        }
        guard let level = levels.first else {
            add(node, into: &result)
            return
        }
        let rest = levels.dropFirst()
        if let exact = node.children[level] {
            collect(node: exact, levels: rest, isRoot: false, dollar: dollar, into: &result)
        }
        if wildcardsAllowed, let plus = node.plus {
            collect(node: plus, levels: rest, isRoot: false, dollar: dollar, into: &result)
        }
    }

    private func add(_ node: Node, into result: inout Match) {
        node.subscribers.append(to: &result.entries)
        if !node.shared.isEmpty { result.sharedGroups.append(contentsOf: node.shared.values) }
    }

    /// The node for `filter`, created along the way as needed.
    private func node(for filter: String) -> Node {
        var node = root
        for level in Topic.levels(of: filter) {
            switch level {
            case "+":
                if node.plus == nil { node.plus = Node() }
                node = node.plus!
            case "#":
                if node.hash == nil { node.hash = Node() }
                node = node.hash!
            default:
                if let next = node.children[level] {
                    node = next
                } else {
                    let next = Node()
                    node.children[level] = next
                    node = next
                }
            }
        }
        return node
    }
}
