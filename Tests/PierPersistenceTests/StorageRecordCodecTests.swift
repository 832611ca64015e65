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
        roundTrip(.sent(clientID: "c", messageID: UInt64.max, key: .k(65535)))
        roundTrip(.advanced(clientID: "c", key: .k(1)))
        roundTrip(.completed(clientID: "c", messageID: 3))
        roundTrip(.incomingHeld(clientID: "c", key: .k(2)))
        roundTrip(.incomingDone(clientID: "c", key: .k(2)))
        roundTrip(.messageIDHighWater(99))
    }

    /// A message with every format-2 field set: typed properties of each type, every header, a queue reply-to.
    private var jmsMessage: Message {
        var m = Message(id: 77, destination: .queue("orders.eu"), payload: ByteBuffer(bytes: [0, 1, 2, 255]), qos: .atLeastOnce,
                        expiresAt: 1_009_000, contentType: "application/octet-stream", correlationData: Array("corr-1".utf8),
                        properties: [MessageProperty("b", .bool(true)), MessageProperty("i8", .int8(-8)), MessageProperty("i16", .int16(-1600)),
                                     MessageProperty("i32", .int32(Int32.min)), MessageProperty("i64", .int64(Int64.max)),
                                     MessageProperty("f", .float(1.5)), MessageProperty("d", .double(-2.25e300)),
                                     MessageProperty("s", .string("héllo")), MessageProperty("bytes", .bytes([9, 0, 9]))],
                        headers: MessageHeaders(messageID: "ID:pier-1", type: "order", priority: 9, timestamp: 1_699_999_999_000,
                                                persistent: false, redeliveryCount: 3, groupID: "g1", groupSequence: -1,
                                                deliverAt: 1_002_000),
                        origin: "app")
        m.replyTo = .queue("replies")
        return m
    }

    func testFormatTwoRecordsRoundTrip() {
        roundTrip(.queueEnqueued(queue: "orders.eu", message: jmsMessage))
        roundTrip(.queueEnqueued(queue: "q", message: Message(id: 1, destination: .queue("q"), payload: ByteBuffer())))
        roundTrip(.queueRemoved(queue: "orders.eu", messageIDs: [1, 300, UInt64.max]))
        roundTrip(.queueRemoved(queue: "q", messageIDs: []))
        roundTrip(.queueDelivered(queue: "q", messageID: 5, deliveryCount: 7))
        roundTrip(.durableSubscriptionSaved(DurableSubscription(clientID: "c", name: "n", filter: "a/#", selector: "x > 1", noLocal: true)))
        roundTrip(.durableSubscriptionSaved(DurableSubscription(clientID: "c", name: "n", filter: "a")))
        roundTrip(.durableSubscriptionDeleted(clientID: "c", name: "n"))
        roundTrip(.retainedSet(jmsMessage))
        roundTrip(.published(jmsMessage, queuedFor: []))
    }

    func testFormatTwoMessagesCarryTheirFlagAndTruncationIsAnError() {
        var bytes = StorageRecordCodec.encode(.queueEnqueued(queue: "q", message: jmsMessage), clock: clocks)
        for cut in stride(from: 1, to: bytes.readableBytes, by: 3) {
            var slice = bytes.getSlice(at: 0, length: cut)!
            XCTAssertThrowsError(try StorageRecordCodec.decode(&slice, clock: clocks), "cut at \(cut)")
        }
        _ = try? StorageRecordCodec.decode(&bytes, clock: clocks)
    }

    func testUnknownPropertyTypeIsRefused() {
        var bytes = StorageRecordCodec.encode(.queueEnqueued(queue: "q", message: Message(id: 1, destination: .queue("q"), payload: ByteBuffer(),
                                                                                       properties: [MessageProperty("p", .bool(true))])), clock: clocks)
        // The property type byte sits right after its name; make it unknown.
        let view = Array(bytes.readableBytesView)
        let at = view.lastIndex(of: UInt8(ascii: "p"))! + 1
        bytes.setInteger(UInt8(0xEE), at: bytes.readerIndex + at)
        XCTAssertThrowsError(try StorageRecordCodec.decode(&bytes, clock: clocks)) { error in
            XCTAssertTrue("\(error)".contains("property type"), "\(error)")
        }
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
        let records: [StorageRecord] = [.incomingHeld(clientID: "c", key: .k(4)),
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
