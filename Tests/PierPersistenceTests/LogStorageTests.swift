import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PierCore
import PierStore
import XCTest
@testable import PierPersistence

final class LogStorageTests: XCTestCase {
    private var dir = ""

    override func setUp() {
        super.setUp()
        dir = "/tmp/pier-logstorage-\(UInt64.random(in: 0..<UInt64.max))"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
        super.tearDown()
    }

    private func options(checkpointEvery: Int = 1_000_000, segmentBytes: Int64 = 64 << 20) -> LogStorage.Options {
        var o = LogStorage.Options()
        o.checkpointEveryRecords = checkpointEvery
        o.log.segmentMaxBytes = segmentBytes
        o.log.fsync = .never
        return o
    }

    private func message(_ id: UInt64, _ topic: String = "t") -> Message {
        Message(id: id, destination: .topic(topic), payload: ByteBuffer(string: "payload-\(id)"), qos: .atLeastOnce)
    }

    /// A realistic stream: sessions, queued messages, progress, retained changes, a deleted session.
    private func workload(_ n: Int) -> [StorageRecord] {
        var out: [StorageRecord] = [
            .sessionSaved(StoredSession(clientID: "a", username: nil, expiryInterval: 60, subscriptions: ["t": .init(qos: .exactlyOnce)])),
            .sessionSaved(StoredSession(clientID: "b", username: "u", expiryInterval: 60, subscriptions: ["#": .init(qos: .atLeastOnce)])),
        ]
        for i in 1...UInt64(n) {
            out.append(.published(message(i), queuedFor: [QueuedTarget(clientID: "a", qos: .atLeastOnce, retain: false),
                                                           QueuedTarget(clientID: "b", qos: .atLeastOnce, retain: false)]))
            if i % 3 == 0 { out.append(.sent(clientID: "a", messageID: i, key: .k(UInt16(i % 60_000 + 1)))) }
            if i % 2 == 0 { out.append(.completed(clientID: "b", messageID: i)) }
            if i % 10 == 0 { out.append(.retainedSet(message(i, "r/\(i % 4)"))) }
        }
        out.append(.incomingHeld(clientID: "a", key: .k(77)))
        out.append(.sessionSaved(StoredSession(clientID: "gone", username: nil, expiryInterval: 5, subscriptions: [:])))
        out.append(.sessionDeleted(clientID: "gone"))
        return out
    }

    private func reference(_ records: [StorageRecord]) -> StoredState {
        var fold = DurableState()
        for r in records { fold.apply(r) }
        return fold.storedState
    }

    private func assertSameState(_ lhs: StoredState, _ rhs: StoredState, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(lhs.sessions, rhs.sessions, file: file, line: line)
        XCTAssertEqual(lhs.retained, rhs.retained, file: file, line: line)
        XCTAssertEqual(lhs.lastMessageID, rhs.lastMessageID, file: file, line: line)
    }

    func testReopenReplaysToTheSameStateAsTheInMemoryFold() throws {
        let records = workload(300)
        do {
            let storage = try LogStorage(directory: dir, options: options())
            _ = try storage.load()
            for r in records { storage.append([r], onCommit: nil) }
            try storage.log.flush()
        }
        let reopened = try LogStorage(directory: dir, options: options())
        assertSameState(try reopened.load(), reference(records))
    }

    func testCheckpointPlusReplayEqualsFullReplay() throws {
        let records = workload(400)
        do {
            let storage = try LogStorage(directory: dir, options: options(segmentBytes: 8 * 1024))
            _ = try storage.load()
            for r in records.prefix(500) {
                storage.append([r], onCommit: nil)
                // One batch per record, so the bytes written (and the 8 KiB segments rolled) do not depend on
                // how the writer thread happened to group appends: under CPU load it grouped up to 20 of
                // them, compressed better, and sometimes filled only two segments.
                try storage.log.flush()
            }
            XCTAssertGreaterThan(storage.log.segmentInfos().count, 2)
            try storage.checkpoint()
            for r in records.dropFirst(500) { storage.append([r], onCommit: nil) }
            try storage.log.flush()
            XCTAssertNotNil(try storage.log.loadLatestCheckpoint())
            XCTAssertGreaterThan(storage.log.startOffset, 0, "segments wholly before the checkpoint are deleted")
        }
        let reopened = try LogStorage(directory: dir, options: options())
        assertSameState(try reopened.load(), reference(records))
    }

    func testCommitCallbacksFireInOrderIncludingBarriers() throws {
        let storage = try LogStorage(directory: dir, options: options())
        _ = try storage.load()
        let order = NIOLockedValueBox<[Int]>([])
        let done = expectation(description: "all committed")
        done.expectedFulfillmentCount = 4
        storage.append([.sessionDeleted(clientID: "x")], onCommit: { order.withLockedValue { $0.append(1) }; done.fulfill() })
        storage.append([], onCommit: { order.withLockedValue { $0.append(2) }; done.fulfill() })
        storage.append([.retainedCleared(topic: "a"), .retainedCleared(topic: "b")],
                       onCommit: { order.withLockedValue { $0.append(3) }; done.fulfill() })
        storage.append([], onCommit: { order.withLockedValue { $0.append(4) }; done.fulfill() })
        wait(for: [done], timeout: 10)
        XCTAssertEqual(order.withLockedValue { $0 }, [1, 2, 3, 4])
    }

    func testCloseCheckpointsSoNothingIsReplayed() throws {
        let records = workload(50)
        do {
            let storage = try LogStorage(directory: dir, options: options())
            _ = try storage.load()
            for r in records { storage.append([r], onCommit: nil) }
            storage.close()
        }
        let reopened = try LogStorage(directory: dir, options: options())
        let checkpoint = try XCTUnwrap(try reopened.log.loadLatestCheckpoint())
        XCTAssertEqual(checkpoint.upToOffset, reopened.log.endOffset)
        assertSameState(try reopened.load(), reference(records))
    }
}

extension LogStorageTests {
    /// Queue contents survive a restart, and a message handed out before it comes back as a redelivery.
    func testQueuesAndDeliveryCountsRecoverFromTheLog() throws {
        let storage = try LogStorage(directory: dir, options: options())
        _ = try storage.load()
        let m = { (id: UInt64) in Message(id: id, destination: .queue("jobs"), payload: ByteBuffer(string: "j\(id)"), headers: MessageHeaders(persistent: true)) }
        storage.append([.queueEnqueued(queue: "jobs", message: m(1)), .queueEnqueued(queue: "jobs", message: m(2))], onCommit: nil)
        storage.append([.queueEnqueued(queue: "jobs", message: m(3))], onCommit: nil)
        storage.append([.queueDelivered(queue: "jobs", messageID: 2, deliveryCount: 1)], onCommit: nil)
        storage.append([.queueRemoved(queue: "jobs", messageIDs: [1])], onCommit: nil)
        storage.append([.durableSubscriptionSaved(DurableSubscription(clientID: "c", name: "s", filter: "t/#"))], onCommit: nil)
        storage.close()
        let reopened = try LogStorage(directory: dir, options: options())
        let state = try reopened.load()
        XCTAssertEqual(state.queues["jobs"]?.map { String(buffer: $0.message.payload) }, ["j2", "j3"])
        XCTAssertEqual(state.queues["jobs"]?.map(\.deliveryCount), [1, 0])
        XCTAssertEqual(state.durableSubscriptions.map(\.queueName), ["$durable/c/s"])
        // The checkpoint written at close holds the same.
        try reopened.checkpoint()
        reopened.close()
        let again = try LogStorage(directory: dir, options: options())
        XCTAssertEqual(try again.load().queues["jobs"]?.map(\.deliveryCount), [1, 0])
        again.close()
    }
}
