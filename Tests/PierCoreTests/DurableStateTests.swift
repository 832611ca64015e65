import NIOCore
import XCTest
@testable import PierCore

final class DurableStateTests: XCTestCase {
    private func msg(_ id: UInt64, _ topic: String = "t") -> Message {
        Message(id: id, destination: .topic(topic), payload: ByteBuffer(string: "p\(id)"), qos: .atLeastOnce)
    }

    private func session(_ id: String) -> StorageRecord {
        .sessionSaved(StoredSession(clientID: id, username: nil, expiryInterval: 60, subscriptions: ["t": SubscriptionOptions(qos: .exactlyOnce)]))
    }

    private func target(_ id: String, _ qos: QoS = .atLeastOnce) -> QueuedTarget {
        QueuedTarget(clientID: id, qos: qos, retain: false, subscriptionIdentifiers: [7])
    }

    func testQueuedMessagesAndInFlightStateFold() {
        var s = DurableState()
        s.apply(session("a"))
        s.apply(session("b"))
        s.apply(.published(msg(1), queuedFor: [target("a"), target("b", .exactlyOnce)]))
        s.apply(.published(msg(2), queuedFor: [target("a")]))
        s.apply(.sent(clientID: "b", messageID: 1, key: .k(9)))
        s.apply(.advanced(clientID: "b", key: .k(9)))
        s.apply(.completed(clientID: "a", messageID: 1))
        s.apply(.incomingHeld(clientID: "a", key: .k(4)))
        let stored = s.storedState
        XCTAssertEqual(stored.lastMessageID, 2)
        let a = stored.sessions[0], b = stored.sessions[1]
        XCTAssertEqual(a.queued.map(\.delivery.message.id), [2])
        XCTAssertEqual(a.queued.first?.delivery.subscriptionIdentifiers, [7])
        XCTAssertEqual(a.incomingKeys, [.k(4)])
        XCTAssertEqual(b.queued.map(\.key), [.k(9)])
        XCTAssertEqual(b.queued.first?.advanced, true)
        XCTAssertEqual(b.queued.first?.delivery.qos, .exactlyOnce)
        XCTAssertEqual(s.messageCount, 2)
    }

    func testMessagesAreFreedWhenNoSessionHoldsThem() {
        var s = DurableState()
        s.apply(session("a"))
        s.apply(.published(msg(1), queuedFor: [target("a")]))
        s.apply(.published(msg(2), queuedFor: []))
        XCTAssertEqual(s.messageCount, 1, "a message queued for nobody is not kept")
        s.apply(.completed(clientID: "a", messageID: 1))
        XCTAssertEqual(s.messageCount, 0)
        s.apply(.published(msg(3), queuedFor: [target("a")]))
        s.apply(.sessionDeleted(clientID: "a"))
        XCTAssertEqual(s.messageCount, 0)
        XCTAssertEqual(s.sessionCount, 0)
    }

    func testQueuedForUnknownSessionIsIgnored() {
        var s = DurableState()
        s.apply(.published(msg(1), queuedFor: [target("ghost")]))
        XCTAssertEqual(s.messageCount, 0)
        XCTAssertEqual(s.storedState.lastMessageID, 1)
    }

    func testSessionSavedKeepsItsQueue() {
        var s = DurableState()
        s.apply(session("a"))
        s.apply(.published(msg(1), queuedFor: [target("a")]))
        s.apply(.sessionSaved(StoredSession(clientID: "a", username: "u", expiryInterval: 5, subscriptions: [:])))
        XCTAssertEqual(s.storedState.sessions[0].queued.count, 1)
        XCTAssertEqual(s.storedState.sessions[0].expiryInterval, 5)
    }

    func testSnapshotRecordsRebuildTheSameState() {
        var s = DurableState()
        s.apply(.retainedSet(Message(destination: .topic("r"), payload: ByteBuffer(string: "kept"), retain: true)))
        s.apply(session("a"))
        s.apply(session("b"))
        s.apply(.published(msg(1), queuedFor: [target("a"), target("b", .exactlyOnce)]))
        s.apply(.published(msg(5), queuedFor: [target("b")]))
        s.apply(.sent(clientID: "b", messageID: 1, key: .k(3)))
        s.apply(.advanced(clientID: "b", key: .k(3)))
        s.apply(.incomingHeld(clientID: "a", key: .k(11)))
        s.apply(.published(msg(9), queuedFor: []))

        var rebuilt = DurableState()
        for r in s.snapshotRecords { rebuilt.apply(r) }
        let lhs = s.storedState, rhs = rebuilt.storedState
        XCTAssertEqual(lhs.sessions, rhs.sessions)
        XCTAssertEqual(lhs.retained, rhs.retained)
        XCTAssertEqual(rhs.lastMessageID, 9)
        XCTAssertEqual(rebuilt.messageCount, s.messageCount)
    }
}
