import XCTest
@testable import PierCore

/// The inline-first storage of a trie node's subscribers and of a session's filters: one entry inline,
/// a dictionary from the second, and back to inline when one is left.
final class CompactSubscriptionStorageTests: XCTestCase {
    private func session(_ id: String) -> Session {
        Session(identity: ClientIdentity(clientID: id, username: nil))
    }

    private func ids(_ match: SubscriptionTree.Match) -> [String] {
        match.entries.map(\.session.clientID).sorted()
    }

    func testOneTwoThreeSubscribersOnOneFilterThenBackDown() {
        let tree = SubscriptionTree()
        let a = session("a"), b = session("b"), c = session("c")
        XCTAssertTrue(tree.insert(filter: "t", shareGroup: nil, session: a, options: .init(qos: .atMostOnce)))
        XCTAssertFalse(tree.insert(filter: "t", shareGroup: nil, session: a, options: .init(qos: .atLeastOnce)), "the same session replaces")
        XCTAssertEqual(tree.match(topic: "t").entries.map(\.options.qos), [.atLeastOnce])
        XCTAssertTrue(tree.insert(filter: "t", shareGroup: nil, session: b, options: .init(qos: .atMostOnce)))
        XCTAssertTrue(tree.insert(filter: "t", shareGroup: nil, session: c, options: .init(qos: .exactlyOnce)))
        XCTAssertFalse(tree.insert(filter: "t", shareGroup: nil, session: b, options: .init(qos: .exactlyOnce)))
        XCTAssertEqual(ids(tree.match(topic: "t")), ["a", "b", "c"])
        XCTAssertEqual(tree.count, 3)

        XCTAssertTrue(tree.remove(filter: "t", shareGroup: nil, session: b))
        XCTAssertFalse(tree.remove(filter: "t", shareGroup: nil, session: b))
        XCTAssertEqual(ids(tree.match(topic: "t")), ["a", "c"])
        XCTAssertTrue(tree.remove(filter: "t", shareGroup: nil, session: a))
        XCTAssertEqual(ids(tree.match(topic: "t")), ["c"])
        XCTAssertEqual(tree.match(topic: "t").entries.first?.options.qos, .exactlyOnce)
        XCTAssertFalse(tree.remove(filter: "t", shareGroup: nil, session: a), "a session not on the filter")
        XCTAssertTrue(tree.insert(filter: "t", shareGroup: nil, session: a, options: .init(qos: .atMostOnce)))
        XCTAssertEqual(ids(tree.match(topic: "t")), ["a", "c"])
        XCTAssertTrue(tree.remove(filter: "t", shareGroup: nil, session: c))
        XCTAssertTrue(tree.remove(filter: "t", shareGroup: nil, session: a))
        XCTAssertEqual(ids(tree.match(topic: "t")), [])
        XCTAssertEqual(tree.count, 0)
    }

    func testSessionSubscriptionsBehaveAsADictionary() {
        var subs: SessionSubscriptions = [:]
        var reference: [String: SubscriptionOptions] = [:]
        func check(_ line: UInt = #line) {
            XCTAssertEqual(subs.count, reference.count, line: line)
            XCTAssertEqual(subs.isEmpty, reference.isEmpty, line: line)
            XCTAssertEqual(subs.keys.sorted(), reference.keys.sorted(), line: line)
            XCTAssertEqual(subs.dictionary, reference, line: line)
            for key in ["a", "b", "c", "d"] { XCTAssertEqual(subs[key], reference[key], line: line) }
        }
        check()
        for (key, qos) in [("a", QoS.atMostOnce), ("a", .atLeastOnce), ("b", .exactlyOnce), ("c", .atMostOnce), ("b", .atMostOnce)] {
            subs[key] = SubscriptionOptions(qos: qos)
            reference[key] = SubscriptionOptions(qos: qos)
            check()
        }
        for key in ["d", "b", "a", "a", "c"] {
            XCTAssertEqual(subs.removeValue(forKey: key), reference.removeValue(forKey: key))
            check()
        }
        subs["x"] = SubscriptionOptions(qos: .atLeastOnce)
        subs["x"] = nil
        XCTAssertTrue(subs.isEmpty)
        let restored = SessionSubscriptions(["p": SubscriptionOptions(qos: .atMostOnce), "q": SubscriptionOptions(qos: .exactlyOnce)])
        XCTAssertEqual(restored.dictionary, ["p": SubscriptionOptions(qos: .atMostOnce), "q": SubscriptionOptions(qos: .exactlyOnce)])
        XCTAssertEqual(SessionSubscriptions(["p": SubscriptionOptions(qos: .atMostOnce)])["p"], SubscriptionOptions(qos: .atMostOnce))
    }
}
