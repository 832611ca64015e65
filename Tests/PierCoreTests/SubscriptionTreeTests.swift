import XCTest
@testable import PierCore

final class SubscriptionTreeTests: XCTestCase {
    private func session(_ id: String) -> Session {
        Session(identity: ClientIdentity(clientID: id, username: nil))
    }

    private func ids(_ match: SubscriptionTree.Match) -> [String] {
        match.entries.map(\.session.clientID).sorted()
    }

    func testInsertAndMatch() {
        let tree = SubscriptionTree()
        let a = session("a"), b = session("b"), c = session("c")
        XCTAssertTrue(tree.insert(filter: "s/+/t", shareGroup: nil, session: a, options: .init(qos: .atLeastOnce)))
        XCTAssertTrue(tree.insert(filter: "s/#", shareGroup: nil, session: b, options: .init(qos: .atMostOnce)))
        XCTAssertTrue(tree.insert(filter: "x/y", shareGroup: nil, session: c, options: .init(qos: .exactlyOnce)))
        XCTAssertEqual(tree.count, 3)

        XCTAssertEqual(ids(tree.match(topic: "s/1/t")), ["a", "b"])
        XCTAssertEqual(ids(tree.match(topic: "s/1/h")), ["b"])
        XCTAssertEqual(ids(tree.match(topic: "s")), ["b"], "s/# matches the parent level")
        XCTAssertEqual(ids(tree.match(topic: "s/1/t/deeper")), ["b"], "+ does not cross levels")
        XCTAssertEqual(ids(tree.match(topic: "x/y")), ["c"])
        XCTAssertEqual(ids(tree.match(topic: "x/y/z")), [])
        XCTAssertEqual(ids(tree.match(topic: "other")), [])

        let entry = tree.match(topic: "x/y").entries.first
        XCTAssertEqual(entry?.options.qos, .exactlyOnce)
    }

    func testEmptyLevelsAndRootWildcards() {
        let tree = SubscriptionTree()
        tree.insert(filter: "a//b", shareGroup: nil, session: session("empty"), options: .init(qos: .atMostOnce))
        tree.insert(filter: "#", shareGroup: nil, session: session("all"), options: .init(qos: .atMostOnce))
        tree.insert(filter: "+/x", shareGroup: nil, session: session("plus"), options: .init(qos: .atMostOnce))
        tree.insert(filter: "$SYS/#", shareGroup: nil, session: session("sys"), options: .init(qos: .atMostOnce))
        XCTAssertEqual(ids(tree.match(topic: "a//b")), ["all", "empty"])
        XCTAssertEqual(ids(tree.match(topic: "a/b")), ["all"])
        XCTAssertEqual(ids(tree.match(topic: "/x")), ["all", "plus"])
        XCTAssertEqual(ids(tree.match(topic: "$SYS/x")), ["sys"], "# and +/x do not match $ topics")
        XCTAssertEqual(ids(tree.match(topic: "$SYS")), ["sys"])
    }

    func testOverlappingFiltersReturnOneEntryPerFilter() {
        let tree = SubscriptionTree()
        let a = session("a")
        tree.insert(filter: "a/b", shareGroup: nil, session: a, options: .init(qos: .atMostOnce, subscriptionIdentifier: 1))
        tree.insert(filter: "a/+", shareGroup: nil, session: a, options: .init(qos: .atLeastOnce, subscriptionIdentifier: 2))
        tree.insert(filter: "a/#", shareGroup: nil, session: a, options: .init(qos: .exactlyOnce, subscriptionIdentifier: 3))
        tree.insert(filter: "#", shareGroup: nil, session: a, options: .init(qos: .atMostOnce, subscriptionIdentifier: 4))
        let match = tree.match(topic: "a/b")
        XCTAssertEqual(match.entries.count, 4)
        XCTAssertEqual(Set(match.entries.compactMap(\.options.subscriptionIdentifier)), [1, 2, 3, 4])
        XCTAssertTrue(match.entries.allSatisfy { $0.session === a })
    }

    func testReinsertReplacesOptions() {
        let tree = SubscriptionTree()
        let a = session("a")
        XCTAssertTrue(tree.insert(filter: "t", shareGroup: nil, session: a, options: .init(qos: .atMostOnce)))
        XCTAssertFalse(tree.insert(filter: "t", shareGroup: nil, session: a, options: .init(qos: .exactlyOnce)))
        XCTAssertEqual(tree.count, 1)
        let match = tree.match(topic: "t")
        XCTAssertEqual(match.entries.count, 1)
        XCTAssertEqual(match.entries.first?.options.qos, .exactlyOnce)
    }

    func testRemove() {
        let tree = SubscriptionTree()
        let a = session("a"), b = session("b")
        tree.insert(filter: "a/+", shareGroup: nil, session: a, options: .init(qos: .atMostOnce))
        tree.insert(filter: "a/+", shareGroup: nil, session: b, options: .init(qos: .atMostOnce))
        XCTAssertTrue(tree.remove(filter: "a/+", shareGroup: nil, session: a))
        XCTAssertFalse(tree.remove(filter: "a/+", shareGroup: nil, session: a), "already removed")
        XCTAssertFalse(tree.remove(filter: "a/#", shareGroup: nil, session: b), "never subscribed")
        XCTAssertFalse(tree.remove(filter: "nope/x/y", shareGroup: nil, session: b))
        XCTAssertEqual(tree.count, 1)
        XCTAssertEqual(ids(tree.match(topic: "a/x")), ["b"])
    }

    func testRemovalPrunesEverything() {
        let tree = SubscriptionTree()
        let a = session("a")
        let filters = ["a/b/c", "a/+/c", "a/#", "#", "+", "x//y", "$SYS/#"]
        for f in filters { tree.insert(filter: f, shareGroup: nil, session: a, options: .init(qos: .atMostOnce)) }
        tree.insert(filter: "a/b", shareGroup: "g", session: a, options: .init(qos: .atMostOnce))
        XCTAssertEqual(tree.count, filters.count + 1)
        for f in filters { XCTAssertTrue(tree.remove(filter: f, shareGroup: nil, session: a), f) }
        XCTAssertTrue(tree.remove(filter: "a/b", shareGroup: "g", session: a))
        XCTAssertEqual(tree.count, 0)
        for topic in ["a/b/c", "a/b", "a", "x//y", "$SYS/x", "z"] {
            let match = tree.match(topic: topic)
            XCTAssertTrue(match.entries.isEmpty, topic)
            XCTAssertTrue(match.sharedGroups.isEmpty, topic)
        }
        // Removing the leaf keeps siblings reachable and a parent subscription intact.
        tree.insert(filter: "p", shareGroup: nil, session: a, options: .init(qos: .atMostOnce))
        tree.insert(filter: "p/q/r", shareGroup: nil, session: a, options: .init(qos: .atMostOnce))
        tree.insert(filter: "p/q/s", shareGroup: nil, session: a, options: .init(qos: .atMostOnce))
        tree.remove(filter: "p/q/r", shareGroup: nil, session: a)
        XCTAssertEqual(ids(tree.match(topic: "p")), ["a"])
        XCTAssertEqual(ids(tree.match(topic: "p/q/s")), ["a"])
        XCTAssertEqual(ids(tree.match(topic: "p/q/r")), [])
        XCTAssertEqual(tree.count, 2)
    }

    func testSharedGroups() {
        let tree = SubscriptionTree()
        let a = session("a"), b = session("b"), c = session("c")
        XCTAssertTrue(tree.insert(filter: "s/+", shareGroup: "g1", session: a, options: .init(qos: .atMostOnce)))
        XCTAssertTrue(tree.insert(filter: "s/+", shareGroup: "g1", session: b, options: .init(qos: .atMostOnce)))
        XCTAssertFalse(tree.insert(filter: "s/+", shareGroup: "g1", session: b, options: .init(qos: .atLeastOnce)), "same member again")
        XCTAssertTrue(tree.insert(filter: "s/+", shareGroup: "g2", session: c, options: .init(qos: .atMostOnce)))
        XCTAssertTrue(tree.insert(filter: "s/#", shareGroup: "g1", session: c, options: .init(qos: .atMostOnce)))
        XCTAssertEqual(tree.count, 4)

        let match = tree.match(topic: "s/1")
        XCTAssertTrue(match.entries.isEmpty, "shared members are not ordinary subscribers")
        XCTAssertEqual(match.sharedGroups.count, 3, "g1 and g2 on s/+, and g1 on s/# are separate groups")
        let memberSets = match.sharedGroups.map { Set($0.members.map(\.session.clientID)) }
        XCTAssertTrue(memberSets.contains(["a", "b"]))
        XCTAssertTrue(memberSets.contains(["c"]))
        let ab = match.sharedGroups.first { $0.members.count == 2 }
        XCTAssertEqual(ab?.members.first { $0.session === b }?.options.qos, .atLeastOnce, "re-subscribing replaces options")

        XCTAssertTrue(tree.remove(filter: "s/+", shareGroup: "g1", session: a))
        XCTAssertFalse(tree.remove(filter: "s/+", shareGroup: "g1", session: a))
        XCTAssertFalse(tree.remove(filter: "s/+", shareGroup: "nope", session: b))
        XCTAssertTrue(tree.remove(filter: "s/+", shareGroup: "g1", session: b))
        XCTAssertEqual(tree.match(topic: "s/1").sharedGroups.count, 2, "an emptied group disappears")
        XCTAssertTrue(tree.remove(filter: "s/+", shareGroup: "g2", session: c))
        XCTAssertTrue(tree.remove(filter: "s/#", shareGroup: "g1", session: c))
        XCTAssertEqual(tree.count, 0)
        XCTAssertTrue(tree.match(topic: "s/1").sharedGroups.isEmpty)
    }
}
