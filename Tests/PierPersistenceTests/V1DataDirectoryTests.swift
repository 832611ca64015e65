import Foundation
import NIOCore
import PierCore
import PierStore
import XCTest
@testable import PierPersistence

/// Data directories written by record format 1 (the release before queues; made by
/// scripts/make-v1-datadir-fixture.py at 8bac025) must open and recover under format 2.
final class V1DataDirectoryTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func load(_ name: String) throws -> (StoredState, String) {
        let dir = "/tmp/pier-v1-\(name)-\(UInt64.random(in: 0..<UInt64.max))"
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: dir)
        var options = LogStorage.Options()
        options.log.fsync = .never
        let storage = try LogStorage(directory: dir + "/log", options: options)
        let state = try storage.load()
        storage.close()
        return (state, dir)
    }

    func testKilledDirectoryRecovers() throws {
        try checkState("v1-killed")
    }

    func testCleanlyStoppedDirectoryRecoversFromItsCheckpoint() throws {
        try checkState("v1-stopped")
    }

    private func checkState(_ name: String) throws {
        let (state, dir) = try load(name)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(state.lastMessageID, 8)
        XCTAssertEqual(state.retained.map(\.topic), ["fx/r"])
        XCTAssertEqual(state.retained.first.map { String(buffer: $0.payload) }, "kept")
        XCTAssertEqual(state.sessions.map(\.clientID), ["fx-inflight", "fx-offline", "fx-pub"])

        let offline = state.sessions[1]
        XCTAssertEqual(offline.expiryInterval, 3600)
        XCTAssertEqual(offline.subscriptions["fx/#"], SubscriptionOptions(qos: .exactlyOnce, subscriptionIdentifier: 7))
        XCTAssertEqual(offline.subscriptions["fx/q1"], SubscriptionOptions(qos: .atLeastOnce))
        XCTAssertEqual(offline.queued.map { String(buffer: $0.delivery.message.payload) },
                       [#"{"t":21.5}"#, "b1", "b2", "q1", "kept", "gone", "", "c"])
        XCTAssertTrue(offline.queued.allSatisfy { $0.key == nil && $0.delivery.subscriptionIdentifiers == [7] })
        let first = offline.queued[0].delivery.message
        XCTAssertEqual(first.topic, "fx/a")
        XCTAssertEqual(first.qos, .atLeastOnce)
        XCTAssertEqual(first.userProperties, [UserProperty("site", "north"), UserProperty("site", "south")])
        XCTAssertEqual(first.properties.map(\.value), [.string("north"), .string("south")], "format-1 properties read as strings")
        XCTAssertEqual(first.contentType, "application/json")
        XCTAssertEqual(first.responseTopic, "fx/reply")
        XCTAssertEqual(first.correlationData, [0, 99, 111, 114, 114, 255])
        XCTAssertEqual(first.payloadIsUTF8, true)
        XCTAssertEqual(first.origin, "fx-pub")
        XCTAssertEqual(first.headers, MessageHeaders(), "format 1 had no headers: the defaults apply")
        let remaining = try XCTUnwrap(first.remainingExpirySeconds(now: BrokerClock.nowMillis()))
        XCTAssertGreaterThan(remaining, 9 * 365 * 86_400, "the ten-year expiry survives as wall-clock time")
        XCTAssertEqual(offline.queued[4].delivery.message.retain, true)

        let inflight = state.sessions[0]
        XCTAssertEqual(inflight.queued.map { String(buffer: $0.delivery.message.payload) }, ["b1", "b2"])
        // Format 1's packet ids read back as MQTT's two-byte keys.
        XCTAssertEqual(inflight.queued.map { $0.key?.bytes.count }, [2, 2])
        XCTAssertNotEqual(inflight.queued[0].key, inflight.queued[1].key)
        XCTAssertEqual(inflight.queued.map(\.advanced), [true, false], "b1 got PUBREC, b2 nothing")
        XCTAssertEqual(state.sessions[2].incomingKeys, [.k(9)])
        XCTAssertTrue(state.queues.isEmpty)
    }

    /// After the upgrade the broker writes format 2 into the same directory; both must read back together.
    func testFormatTwoRecordsAppendToAFormatOneLog() throws {
        let (_, dir) = try load("v1-killed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = LogStorage.Options()
        options.log.fsync = .never
        let storage = try LogStorage(directory: dir + "/log", options: options)
        _ = try storage.load()
        var m = Message(id: 9, destination: .queue("jobs"), payload: ByteBuffer(string: "new"), properties: [MessageProperty("n", .int32(5))],
                        headers: MessageHeaders(type: "job", priority: 7, persistent: true))
        m.replyTo = .queue("replies")
        storage.append([.queueEnqueued(queue: "jobs", message: m)], onCommit: nil)
        storage.close()
        let reopened = try LogStorage(directory: dir + "/log", options: options)
        let state = try reopened.load()
        reopened.close()
        XCTAssertEqual(state.sessions.count, 3)
        XCTAssertEqual(state.queues["jobs"]?.map(\.message), [m])
        XCTAssertEqual(state.lastMessageID, 9)
    }
}
