import NIOCore
import PierSelector
import XCTest

@testable import PierCore

final class QueueManagerTests: XCTestCase {
    func testCompetingConsumersShareTheQueueWithoutLossOrDuplicates() throws {
        let h = QueueHarness()
        let (a, ra) = try h.consumer("q", ConsumerOptions(prefetch: 5))
        let (b, rb) = try h.consumer("q", ConsumerOptions(prefetch: 5))
        for i in 0..<100 { h.send("m\(i)") }
        var seen: [String] = []
        while true {
            let da = ra.take(), db = rb.take()
            if da.isEmpty && db.isEmpty { break }
            for d in da { seen.append(String(buffer: d.message.payload)); try h.manager.ack(a, tag: d.tag) }
            for d in db { seen.append(String(buffer: d.message.payload)); try h.manager.ack(b, tag: d.tag) }
            h.loop.run()
        }
        XCTAssertEqual(seen.count, 100)
        XCTAssertEqual(Set(seen).count, 100)
        XCTAssertEqual(h.manager.depth("q"), 0)
    }

    func testRoundRobinAlternatesBetweenConsumersWithCredit() throws {
        let h = QueueHarness()
        let (_, ra) = try h.consumer()
        let (_, rb) = try h.consumer()
        for i in 0..<6 { h.send("m\(i)") }
        XCTAssertEqual(ra.payloads, ["m0", "m2", "m4"])
        XCTAssertEqual(rb.payloads, ["m1", "m3", "m5"])
    }

    func testPrefetchBoundsUnacknowledgedMessages() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer("q", ConsumerOptions(prefetch: 3))
        for i in 0..<10 { h.send("m\(i)") }
        XCTAssertEqual(rec.payloads, ["m0", "m1", "m2"])
        try h.manager.ack(c, tag: rec.received[0].tag)
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["m0", "m1", "m2", "m3"])
    }

    func testCreditModeWaitsForGrantedCredit() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer("q", ConsumerOptions(prefetch: 0, creditReturnsOnAck: false))
        for i in 0..<4 { h.send("m\(i)") }
        XCTAssertTrue(rec.received.isEmpty)
        h.manager.grantCredit(c, 2)
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["m0", "m1"])
        try h.manager.ack(c, tag: rec.received[0].tag)
        h.loop.run()
        XCTAssertEqual(rec.payloads.count, 2, "an ack gives no credit back in credit mode")
    }

    func testFIFOHoldsAndAReleasedMessageComesBackFirstFlaggedRedelivered() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer("q", ConsumerOptions(prefetch: 1))
        for i in 0..<3 { h.send("m\(i)") }
        XCTAssertEqual(rec.payloads, ["m0"])
        XCTAssertFalse(rec.received[0].message.redelivered)
        try h.manager.release(c, tag: rec.received[0].tag)
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["m0", "m0"])
        XCTAssertTrue(rec.received[1].message.redelivered)
        XCTAssertEqual(rec.received[1].message.headers.redeliveryCount, 1)
        try h.manager.ack(c, tag: rec.received[1].tag)
        h.loop.run()
        try h.manager.ack(c, tag: rec.received[2].tag)
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["m0", "m0", "m1", "m2"])
    }

    func testExclusiveConsumerGetsEverythingAndHandsOverWhenItCloses() throws {
        let h = QueueHarness()
        let (ex, rex) = try h.consumer("q", ConsumerOptions(prefetch: 10, exclusive: true))
        let (_, rother) = try h.consumer("q", ConsumerOptions(prefetch: 10))
        for i in 0..<4 { h.send("m\(i)") }
        XCTAssertEqual(rex.payloads, ["m0", "m1", "m2", "m3"])
        XCTAssertTrue(rother.received.isEmpty)
        h.manager.closeConsumer(ex)
        h.loop.run()
        XCTAssertEqual(rother.payloads, ["m0", "m1", "m2", "m3"])
        XCTAssertTrue(rother.received.allSatisfy { $0.message.redelivered })
    }

    func testMessagesClosedAsNotDeliveredComeBackWithoutTheRedeliveredMark() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer("q", ConsumerOptions(prefetch: 10))
        for i in 0..<4 { h.send("m\(i)") }
        XCTAssertEqual(rec.payloads, ["m0", "m1", "m2", "m3"])
        let prefetchedOnly = Set(rec.received[2...].map(\.tag))
        h.manager.closeConsumer(c, notDelivered: prefetchedOnly)
        h.loop.run()
        // The count the dispatch logged is taken back, so recovery agrees.
        let lastCounts = Dictionary(h.storage.appends.flatMap { $0 }.compactMap { r -> (UInt64, UInt32)? in
            guard case .queueDelivered(_, let id, let count) = r else { return nil }
            return (id, count)
        }, uniquingKeysWith: { _, last in last })
        for tag in prefetchedOnly { XCTAssertEqual(lastCounts[tag], 0) }
        let (_, again) = try h.consumer("q", ConsumerOptions(prefetch: 10))
        XCTAssertEqual(again.payloads, ["m0", "m1", "m2", "m3"])
        XCTAssertEqual(again.received.map(\.message.redelivered), [true, true, false, false])
    }

    func testMessageGoesToTheDeadLetterQueueAfterTheRedeliveryLimitWithItsOrigin() throws {
        let h = QueueHarness(policy: QueuePolicy(maxRedeliveries: 2))
        let (c, rec) = try h.consumer("q", ConsumerOptions(prefetch: 1))
        h.send("poison")
        for _ in 0..<3 {
            let d = try XCTUnwrap(rec.take().first)
            try h.manager.release(c, tag: d.tag)
            h.loop.run()
        }
        XCTAssertTrue(rec.received.isEmpty)
        XCTAssertEqual(h.manager.depth("q"), 0)
        let dead = h.manager.browse(queue: "ActiveMQ.DLQ")
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(String(buffer: dead[0].payload), "poison")
        XCTAssertEqual(dead[0].property(QueueManager.originalDestinationProperty), .string("queue://q"))
        guard case .string(let cause)? = dead[0].property(QueueManager.deliveryFailureCauseProperty) else { return XCTFail("no cause") }
        XCTAssertTrue(cause.contains("redelivered 2 times"), cause)
        XCTAssertEqual(h.counter("pier_queue_dead_lettered_total"), 1)
        XCTAssertEqual(h.counter("pier_queue_enqueued_total", queue: "ActiveMQ.DLQ"), 1)
    }

    func testDefaultRedeliveryLimitIsActiveMQs() {
        XCTAssertEqual(QueuePolicy().maxRedeliveries, 6)
        XCTAssertEqual(QueuePolicy().deadLetterQueue, "ActiveMQ.DLQ")
    }

    func testRejectDeadLettersAtOnce() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer()
        h.send("bad")
        try h.manager.reject(c, tag: rec.received[0].tag, reason: "cannot parse")
        h.loop.run()
        let dead = h.manager.browse(queue: "ActiveMQ.DLQ")
        XCTAssertEqual(dead.map { String(buffer: $0.payload) }, ["bad"])
        XCTAssertEqual(dead[0].property(QueueManager.deliveryFailureCauseProperty), .string("cannot parse"))
    }

    func testDeadLetterQueueIsConfigurablePerQueuePattern() throws {
        let h = QueueHarness()
        let policies = QueuePolicies(rules: [("orders.>", QueuePolicy(maxRedeliveries: 0, deadLetterQueue: "DLQ.orders"))])
        XCTAssertEqual(policies.policy(for: "orders.eu.new").deadLetterQueue, "DLQ.orders")
        XCTAssertEqual(policies.policy(for: "jobs").deadLetterQueue, "ActiveMQ.DLQ")
        _ = h
    }

    func testAckOfAnUnknownTagIsAnError() throws {
        let h = QueueHarness()
        let (c, _) = try h.consumer()
        XCTAssertThrowsError(try h.manager.ack(c, tag: 999)) { XCTAssertEqual($0 as? QueueError, .unknownDeliveryTag(999)) }
    }

    func testCumulativeAckSettlesEverythingUpToTheTag() throws {
        let h = QueueHarness()
        let (c, rec) = try h.consumer()
        for i in 0..<5 { h.send("m\(i)") }
        try h.manager.ackCumulative(c, through: rec.received[2].tag)
        h.loop.run()
        XCTAssertEqual(h.manager.depth("q"), 2)
        h.manager.closeConsumer(c)
        let (_, again) = try h.consumer()
        XCTAssertEqual(again.payloads, ["m3", "m4"])
    }

    func testExpiredMessagesAreDeadLetteredOrDroppedByPolicy() throws {
        for action in [QueuePolicy.ExpiryAction.deadLetter, .drop] {
            let h = QueueHarness(policy: QueuePolicy(expiry: action))
            var m = h.message("stale")
            m.expiresAt = h.clock.now.load(ordering: .relaxed) + 100
            h.manager.send(m, to: "q") { _ in }
            h.send("fresh")
            h.clock.advance(200)
            let (_, rec) = try h.consumer()
            XCTAssertEqual(rec.payloads, ["fresh"], "\(action)")
            XCTAssertEqual(h.counter("pier_queue_expired_total"), 1)
            XCTAssertEqual(h.manager.depth("ActiveMQ.DLQ"), action == .deadLetter ? 1 : 0, "\(action)")
        }
    }

    func testSweepRemovesExpiredMessagesNobodyConsumes() {
        let h = QueueHarness(policy: QueuePolicy(expiry: .drop))
        var m = h.message("stale")
        m.expiresAt = h.clock.now.load(ordering: .relaxed) + 100
        h.manager.send(m, to: "q") { _ in }
        XCTAssertEqual(h.manager.depth("q"), 1)
        h.clock.advance(200)
        h.manager.sweepExpired()
        XCTAssertEqual(h.manager.depth("q"), 0)
    }

    func testBrowseShowsMessagesInOrderWithoutConsumingAndPurgeEmpties() throws {
        let h = QueueHarness()
        for i in 0..<3 { h.send("m\(i)", properties: [MessageProperty("n", .int32(Int32(i)))]) }
        XCTAssertEqual(h.manager.browse(queue: "q").map { String(buffer: $0.payload) }, ["m0", "m1", "m2"])
        let odd = try XCTUnwrap(MessageSelector.compile("n = 1"))
        XCTAssertEqual(h.manager.browse(queue: "q", selector: odd).map { String(buffer: $0.payload) }, ["m1"])
        XCTAssertEqual(h.manager.depth("q"), 3)
        XCTAssertEqual(h.manager.purge(queue: "q"), 3)
        XCTAssertEqual(h.manager.depth("q"), 0)
        let (_, rec) = try h.consumer()
        XCTAssertTrue(rec.received.isEmpty)
    }

    func testSelectorConsumerTakesOnlyMatchingMessagesAndOthersKeepTheirPlace() throws {
        let h = QueueHarness()
        let (_, red) = try h.consumer("q", ConsumerOptions(selector: try MessageSelector.compile("colour = 'red'")))
        h.send("r1", properties: [MessageProperty("colour", "red")])
        h.send("b1", properties: [MessageProperty("colour", "blue")])
        h.send("r2", properties: [MessageProperty("colour", "red")])
        XCTAssertEqual(red.payloads, ["r1", "r2"])
        let (_, any) = try h.consumer()
        XCTAssertEqual(any.payloads, ["b1"])
    }

    func testMessageGroupSticksToOneConsumerUntilItCloses() throws {
        let h = QueueHarness()
        let (a, ra) = try h.consumer()
        let (_, rb) = try h.consumer()
        for i in 0..<6 { h.send("g\(i)", headers: MessageHeaders(groupID: i % 2 == 0 ? "even" : "odd")) }
        XCTAssertEqual(ra.payloads, ["g0", "g2", "g4"])
        XCTAssertEqual(rb.payloads, ["g1", "g3", "g5"])
        h.manager.closeConsumer(a)
        h.loop.run()
        h.send("g6", headers: MessageHeaders(groupID: "even"))
        XCTAssertEqual(rb.payloads.suffix(4), ["g0", "g2", "g4", "g6"], "the group moves to the remaining consumer")
    }

    func testDelayedMessageIsHeldUntilItsTime() throws {
        let h = QueueHarness()
        let (_, rec) = try h.consumer()
        let now = h.clock.now.load(ordering: .relaxed)
        h.send("later", headers: MessageHeaders(deliverAt: now + 5_000))
        h.send("now")
        XCTAssertEqual(rec.payloads, ["now"])
        h.clock.advance(5_000)
        h.loop.advanceTime(by: .seconds(5))
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["now", "later"])
    }

    func testRejectPolicyRefusesSendsToAFullQueue() {
        let h = QueueHarness(policy: QueuePolicy(maxMessages: 2, overflow: .reject))
        XCTAssertNotNil(try? h.send("a")?.get())
        XCTAssertNotNil(try? h.send("b")?.get())
        guard case .failure(let e)? = h.send("c") else { return XCTFail("accepted") }
        XCTAssertEqual(e, .full(queue: "q"))
        XCTAssertEqual(h.counter("pier_queue_rejected_total"), 1)
    }

    func testDropOldestPolicyCountsWhatItDrops() throws {
        let h = QueueHarness(policy: QueuePolicy(maxMessages: 2, overflow: .dropOldest))
        for s in ["a", "b", "c"] { h.send(s) }
        XCTAssertEqual(h.manager.browse(queue: "q").map { String(buffer: $0.payload) }, ["b", "c"])
        XCTAssertEqual(h.counter("pier_queue_dropped_total"), 1)
        XCTAssertEqual(h.counter("pier_queue_enqueued_total"), 3)
    }

    func testBlockPolicyHoldsTheProducerUntilThereIsRoom() throws {
        let h = QueueHarness(policy: QueuePolicy(maxMessages: 1, overflow: .block))
        h.send("a")
        XCTAssertNil(h.send("b"), "the second producer waits")
        let (c, rec) = try h.consumer()
        try h.manager.ack(c, tag: rec.received[0].tag)
        h.loop.run()
        XCTAssertEqual(rec.payloads, ["a", "b"])
    }

    func testNonPersistentMessagesNeverReachStorage() throws {
        let h = QueueHarness()
        h.send("fast", persistent: false)
        let (c, rec) = try h.consumer()
        try h.manager.ack(c, tag: rec.received[0].tag)
        XCTAssertTrue(h.storage.appends.isEmpty, "\(h.storage.appends)")
    }
}
