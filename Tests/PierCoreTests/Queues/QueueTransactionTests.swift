import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import PierCore

final class QueueTransactionTests: XCTestCase {
    func testCommittedSendsAppearOnlyAtCommitAsOneLogRecord() throws {
        let h = QueueHarness()
        let (_, rec) = try h.consumer()
        let tx = QueueTransaction()
        h.send("a", transaction: tx)
        h.send("b", to: "other", transaction: tx)
        XCTAssertTrue(rec.received.isEmpty)
        XCTAssertTrue(h.storage.appends.isEmpty)
        h.manager.commit(tx) { _ in }
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["a"])
        XCTAssertEqual(h.manager.depth("other"), 1)
        let commitRecords = h.storage.appends.filter { $0.contains { if case .queueEnqueued = $0 { return true }; return false } }
        XCTAssertEqual(commitRecords.count, 1, "one append for the whole transaction")
        XCTAssertEqual(commitRecords.first?.count, 2)
    }

    func testAcksInATransactionAndSendsCommitTogether() throws {
        let h = QueueHarness()
        h.send("in")
        let (c, rec) = try h.consumer()
        let tx = QueueTransaction()
        try h.manager.ack(c, tag: rec.received[0].tag, transaction: tx)
        h.send("out", to: "results", transaction: tx)
        XCTAssertEqual(h.manager.depth("q"), 1, "not acked before commit")
        let before = h.storage.appends.count
        h.manager.commit(tx) { _ in }
        h.loop.run()
        XCTAssertEqual(h.manager.depth("q"), 0)
        XCTAssertEqual(h.manager.depth("results"), 1)
        let last = h.storage.appends[before...].filter { !$0.contains { if case .queueDelivered = $0 { return true }; return false } }
        XCTAssertEqual(last.count, 1)
        XCTAssertEqual(last.first?.count, 2, "enqueue and removal in one record")
    }

    func testRollbackDropsSendsAndRedeliversReceivedMessages() throws {
        let h = QueueHarness()
        h.send("in")
        let (c, rec) = try h.consumer()
        let tx = QueueTransaction()
        try h.manager.ack(c, tag: rec.received[0].tag, transaction: tx)
        h.send("out", to: "results", transaction: tx)
        h.manager.rollback(tx)
        h.loop.run()
        XCTAssertEqual(h.manager.depth("results"), 0)
        XCTAssertEqual(rec.payloads, ["in", "in"])
        XCTAssertTrue(rec.received[1].message.redelivered)
    }

    func testConnectionLossRollsBackLikeRollback() throws {
        let h = QueueHarness()
        h.send("in")
        let (c, rec) = try h.consumer()
        let tx = QueueTransaction()
        try h.manager.ack(c, tag: rec.received[0].tag, transaction: tx)
        // A front end losing its connection rolls back and closes its consumers.
        h.manager.rollback(tx)
        h.manager.closeConsumer(c)
        let (_, next) = try h.consumer()
        XCTAssertEqual(next.payloads, ["in"])
        XCTAssertTrue(next.received[0].message.redelivered)
    }

    func testAnEndedTransactionRefusesMoreWork() throws {
        let h = QueueHarness()
        let tx = QueueTransaction()
        h.manager.commit(tx) { _ in }
        guard case .failure(let e)? = h.send("late", transaction: tx) else { return XCTFail("accepted") }
        XCTAssertEqual(e, .transactionClosed)
    }

    func testTopicPublishesStagedInATransactionArePublishedAtCommit() throws {
        let h = QueueHarness()
        let tx = QueueTransaction()
        try h.manager.stagePublish(Message(destination: .topic("t"), payload: ByteBuffer(string: "x")), in: tx)
        let published = RecordingConsumer(loop: h.loop)
        _ = published
        let seen = NIOLockedBox(0)
        h.manager.commit(tx, publishTopic: { _ in seen.value += 1 }) { _ in }
        XCTAssertEqual(seen.value, 1)
    }
}

/// A tiny lock-protected box for counting in closures.
final class NIOLockedBox<T>: @unchecked Sendable {
    private let lock = NIOLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
