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

    final class Node {
        var children: [Substring: Node] = [:]
        var plus: Node?
        var hash: Node?
        var subscribers: [ObjectIdentifier: Entry] = [:]
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
        let key = ObjectIdentifier(session)
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
        let isNew = node.subscribers.updateValue(entry, forKey: key) == nil
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
            removed = node.subscribers.removeValue(forKey: ObjectIdentifier(session)) != nil
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
        if !node.subscribers.isEmpty { result.entries.append(contentsOf: node.subscribers.values) }
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
