import NIOCore
import PierCore
import XCTest
@testable import PierPersistence

final class StorageRecordCodecTests: XCTestCase {
    /// Fixed clocks: monotonic 1 000 000 ms, wall 1.7e12 ms.
    private let clocks = Clocks(monotonic: { 1_000_000 }, wall: { 1_700_000_000_000 })

    private var fullMessage: Message {
        Message(id: 42, destination: .topic("a/b"), payload: ByteBuffer(string: "{\"t\":21.5}"), qos: .exactlyOnce, retain: true,
                expiresAt: 1_005_000, contentType: "application/json", responseTopic: "reply/x", correlationData: [1, 2, 3],
                payloadIsUTF8: true, userProperties: [UserProperty("k", "v"), UserProperty("k", "w")], origin: "dev-1")
    }

    private func roundTrip(_ record: StorageRecord, file: StaticString = #filePath, line: UInt = #line) {
        var bytes = StorageRecordCodec.encode(record, clock: clocks)
        XCTAssertEqual(try StorageRecordCodec.decode(&bytes, clock: clocks), record, file: file, line: line)
    }

    func testEveryRecordKindRoundTrips() {
        let subs = ["a/+": SubscriptionOptions(qos: .atLeastOnce, noLocal: true, retainAsPublished: true, retainHandling: .doNotSend,
                                               subscriptionIdentifier: 9),
                    "$share/g/x": SubscriptionOptions(qos: .exactlyOnce)]
        roundTrip(.retainedSet(fullMessage))
        roundTrip(.retainedCleared(topic: "a/b"))
        roundTrip(.sessionSaved(StoredSession(clientID: "c", username: "u", expiryInterval: 3600, subscriptions: subs)))
        roundTrip(.sessionSaved(StoredSession(clientID: "c", username: nil, expiryInterval: UInt32.max, subscriptions: [:])))
        roundTrip(.sessionDeleted(clientID: "c"))
        roundTrip(.published(fullMessage, queuedFor: [QueuedTarget(clientID: "x", qos: .atLeastOnce, retain: true, subscriptionIdentifiers: [1, 300_000]),
                                                      QueuedTarget(clientID: "y", qos: .exactlyOnce, retain: false)]))
        roundTrip(.published(Message(id: 7, destination: .queue("jobs"), payload: ByteBuffer(), qos: .atLeastOnce), queuedFor: []))
        roundTrip(.sent(clientID: "c", messageID: UInt64.max, packetID: 65535))
        roundTrip(.released(clientID: "c", packetID: 1))
        roundTrip(.completed(clientID: "c", messageID: 3))
        roundTrip(.incomingReceived(clientID: "c", packetID: 2))
        roundTrip(.incomingReleased(clientID: "c", packetID: 2))
        roundTrip(.messageIDHighWater(99))
    }

    func testExpiryIsStoredAsWallClockTime() throws {
        var bytes = StorageRecordCodec.encode(.retainedSet(fullMessage), clock: clocks)
        // After a restart the monotonic clock starts elsewhere; 5 s were left at write time, 2 s passed.
        let later = Clocks(monotonic: { 50 }, wall: { 1_700_000_002_000 })
        guard case .retainedSet(let m) = try StorageRecordCodec.decode(&bytes, clock: later) else { return XCTFail() }
        XCTAssertEqual(m.expiresAt, 50 + 3_000)
    }

    func testBarrierDecodesToNothing() throws {
        var bytes = StorageRecordCodec.encode([], clock: clocks)
        XCTAssertEqual(bytes.readableBytes, 1)
        XCTAssertEqual(try StorageRecordCodec.decodeAll(&bytes, clock: clocks), [])
    }

    func testOneAppendOfSeveralRecordsIsOneGroup() throws {
        let records: [StorageRecord] = [.incomingReceived(clientID: "c", packetID: 4),
                                        .published(fullMessage, queuedFor: [QueuedTarget(clientID: "d", qos: .exactlyOnce, retain: false)])]
        var bytes = StorageRecordCodec.encode(records, clock: clocks)
        XCTAssertEqual(try StorageRecordCodec.decodeAll(&bytes, clock: clocks), records)
        var single = StorageRecordCodec.encode([records[0]], clock: clocks)
        XCTAssertEqual(try StorageRecordCodec.decodeAll(&single, clock: clocks), [records[0]])
    }

    func testDamagedRecordsAreErrorsNotCrashes() {
        let encoded = StorageRecordCodec.encode(.published(fullMessage, queuedFor: [QueuedTarget(clientID: "x", qos: .atLeastOnce, retain: false)]),
                                                clock: clocks)
        let bytes = Array(encoded.readableBytesView)
        for cut in 0..<bytes.count {
            var prefix = ByteBuffer(bytes: bytes[0..<cut])
            XCTAssertThrowsError(try StorageRecordCodec.decode(&prefix, clock: clocks), "prefix of \(cut) bytes")
        }
        var trailing = ByteBuffer(bytes: bytes + [0])
        XCTAssertThrowsError(try StorageRecordCodec.decode(&trailing, clock: clocks))
        var unknown = ByteBuffer(bytes: [0x55])
        XCTAssertThrowsError(try StorageRecordCodec.decode(&unknown, clock: clocks))
    }
}
