import NIOCore
import XCTest

@testable import PierCore

final class QueueManagerAdminTests: XCTestCase {
    /// Two dead letters from different queues and one message that never was one.
    private func deadLetters(_ h: QueueHarness) throws {
        for (text, queue) in [("a1", "a"), ("b1", "b")] {
            let (c, rec) = try h.consumer(queue)
            h.send(text, to: queue)
            try h.manager.reject(c, tag: rec.received[0].tag, reason: "broken")
            h.loop.run()
            h.manager.closeConsumer(c)
        }
        h.send("plain", to: "ActiveMQ.DLQ")
    }

    func testMoveToOriginalSendsEachDeadLetterHomeWithoutItsDeadLetterProperties() throws {
        let h = QueueHarness()
        try deadLetters(h)
        XCTAssertEqual(h.manager.move(from: "ActiveMQ.DLQ", to: .original), 2)
        h.loop.run()
        XCTAssertEqual(h.manager.browse(queue: "ActiveMQ.DLQ").map { String(buffer: $0.payload) }, ["plain"],
                       "a message without an original destination stays")
        let home = h.manager.browse(queue: "a")
        XCTAssertEqual(home.map { String(buffer: $0.payload) }, ["a1"])
        XCTAssertNil(home[0].property(QueueManager.originalDestinationProperty))
        XCTAssertNil(home[0].property(QueueManager.deliveryFailureCauseProperty))
        XCTAssertEqual(home[0].headers.redeliveryCount, 0)
        XCTAssertEqual(h.manager.browse(queue: "b").map { String(buffer: $0.payload) }, ["b1"])
    }

    func testMoveIsOneLogAppendOfTheCopiesAndTheRemoval() throws {
        let h = QueueHarness()
        try deadLetters(h)
        let before = h.storage.appends.count
        h.manager.move(from: "ActiveMQ.DLQ", to: .queue("retry"), limit: 2)
        h.loop.run()
        let appends = h.storage.appends.dropFirst(before)
        XCTAssertEqual(appends.count, 1)
        let records = try XCTUnwrap(appends.first)
        XCTAssertEqual(records.count, 3, "two enqueues and one removal")
        guard case .queueRemoved(let queue, let ids) = records.last else { return XCTFail("\(records)") }
        XCTAssertEqual(queue, "ActiveMQ.DLQ")
        XCTAssertEqual(ids.count, 2)
        XCTAssertEqual(h.manager.depth("retry"), 2)
        XCTAssertEqual(h.manager.depth("ActiveMQ.DLQ"), 1, "the limit left the third")
    }

    func testAMovedQueueRestoresFromTheLogWhereItWasMovedTo() throws {
        let h = QueueHarness()
        try deadLetters(h)
        h.manager.move(from: "ActiveMQ.DLQ", to: .queue("retry"))
        h.loop.run()
        let state = try h.storage.load()
        XCTAssertEqual(state.queues["retry"]?.count, 3)
        XCTAssertEqual(state.queues["ActiveMQ.DLQ"]?.count ?? 0, 0)
    }

    func testSummariesListQueuesWithDepthAndConsumers() throws {
        let h = QueueHarness()
        let (_, _) = try h.consumer("busy")
        h.send("x", to: "idle")
        h.send("y", to: "idle")
        let summaries = h.manager.summaries()
        XCTAssertEqual(summaries.map(\.name), ["busy", "idle"])
        XCTAssertEqual(summaries[1].depth, 2)
        XCTAssertEqual(summaries[0].consumers, 1)
        XCTAssertFalse(h.manager.exists("nope"))
    }

    func testNothingMovesIntoATemporaryQueue() throws {
        let h = QueueHarness()
        try deadLetters(h)
        XCTAssertEqual(h.manager.move(from: "ActiveMQ.DLQ", to: .queue(QueueManager.temporaryQueuePrefix + "x")), 0)
        XCTAssertEqual(h.manager.depth("ActiveMQ.DLQ"), 3)
    }
}
