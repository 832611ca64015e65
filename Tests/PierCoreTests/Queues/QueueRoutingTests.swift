import NIOCore
import PierSelector
import XCTest

@testable import PierCore

final class QueueRoutingTests: XCTestCase {
    private func topicMessage(_ topic: String, _ text: String, origin: String? = nil) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: text), qos: .atLeastOnce, origin: origin)
    }

    func testVirtualTopicPublishIsCopiedIntoEveryConsumerQueue() throws {
        let h = QueueHarness()
        let (_, a) = try h.consumer("Consumer.A.VirtualTopic.Orders")
        let (_, b) = try h.consumer("Consumer.B.VirtualTopic.Orders")
        _ = try h.consumer("Consumer.C.VirtualTopic.Other")
        _ = try h.consumer("Consumer.x.y.VirtualTopic.Orders")
        let copies = h.manager.topicCopies(of: topicMessage("VirtualTopic/Orders", "o1"))
        XCTAssertEqual(Set(copies.map(\.queue)), ["Consumer.A.VirtualTopic.Orders", "Consumer.B.VirtualTopic.Orders"])
        XCTAssertEqual(Set(copies.compactMap(\.message.id)).count, 2, "each copy has its own id")
        h.manager.deliverCopies(copies)
        h.loop.run()
        XCTAssertEqual(a.payloads, ["o1"])
        XCTAssertEqual(b.payloads, ["o1"])
    }

    func testDurableSubscriptionCollectsWhileOfflineAndCanBeRemoved() throws {
        let h = QueueHarness()
        let queue = try h.manager.subscribeDurable(DurableSubscription(clientID: "app", name: "audit", filter: "sensors/#"))
        h.manager.deliverCopies(h.manager.topicCopies(of: topicMessage("sensors/t1", "21.5")))
        h.manager.deliverCopies(h.manager.topicCopies(of: topicMessage("other/x", "no")))
        XCTAssertEqual(h.manager.depth(queue), 1)
        let (_, rec) = try h.consumer(queue)
        XCTAssertEqual(rec.payloads, ["21.5"])
        XCTAssertTrue(h.manager.unsubscribeDurable(clientID: "app", name: "audit"))
        XCTAssertTrue(h.manager.topicCopies(of: topicMessage("sensors/t1", "x")).isEmpty)
        XCTAssertFalse(h.manager.unsubscribeDurable(clientID: "app", name: "audit"))
        let records = h.storage.appends.flatMap { $0 }
        XCTAssertTrue(records.contains(.durableSubscriptionDeleted(clientID: "app", name: "audit")))
    }

    func testDurableSubscriptionHonoursSelectorAndNoLocal() throws {
        let h = QueueHarness()
        _ = try h.manager.subscribeDurable(DurableSubscription(clientID: "me", name: "s", filter: "t", selector: "JMSPriority > 5", noLocal: true))
        var high = topicMessage("t", "high", origin: "other")
        high.headers.priority = 9
        var mine = topicMessage("t", "mine", origin: "me")
        mine.headers.priority = 9
        let low = topicMessage("t", "low", origin: "other")
        XCTAssertEqual(h.manager.topicCopies(of: high).count, 1)
        XCTAssertEqual(h.manager.topicCopies(of: mine).count, 0)
        XCTAssertEqual(h.manager.topicCopies(of: low).count, 0)
    }

    func testABadDurableSelectorIsAnError() {
        let h = QueueHarness()
        XCTAssertThrowsError(try h.manager.subscribeDurable(DurableSubscription(clientID: "c", name: "n", filter: "t", selector: "a = ")))
    }

    func testCompositeDestinationsSplitWithKindPrefixes() {
        XCTAssertEqual(QueueManager.split(.queue("a,b")), [.queue("a"), .queue("b")])
        XCTAssertEqual(QueueManager.split(.queue("a, topic://t")), [.queue("a"), .topic("t")])
        XCTAssertEqual(QueueManager.split(.topic("x,queue://q")), [.topic("x"), .queue("q")])
        XCTAssertEqual(QueueManager.split(.queue("single")), [.queue("single")])
    }

    func testTemporaryQueueIsDeletedWithItsConnectionAndSendingToItThenFails() throws {
        let h = QueueHarness()
        let owner = ObjectIdentifier(h.loop)
        let name = h.manager.createTemporaryQueue(owner: owner)
        XCTAssertNotNil(try? h.send("hi", to: name)?.get())
        XCTAssertEqual(h.manager.depth(name), 1)
        h.manager.deleteTemporaryDestinations(owner: owner)
        guard case .failure(let e)? = h.send("late", to: name) else { return XCTFail("accepted") }
        XCTAssertEqual(e, .deletedTemporaryDestination(name))
        XCTAssertTrue(h.storage.appends.isEmpty, "temporary queues are never written to the log")
    }

    func testOneTemporaryDestinationIsDeletedByItsOwnerOnly() throws {
        let h = QueueHarness()
        let owner = ObjectIdentifier(h.loop)
        let queue = h.manager.createTemporaryQueue(owner: owner)
        let kept = h.manager.createTemporaryQueue(owner: owner)
        let topic = h.manager.createTemporaryTopic(owner: owner)
        XCTAssertNotNil(try? h.send("hi", to: queue)?.get())
        h.manager.deleteTemporaryDestination(queue, owner: ObjectIdentifier(h.storage))
        XCTAssertEqual(h.manager.depth(queue), 1, "someone else's delete is ignored")
        h.manager.deleteTemporaryDestination(queue, owner: owner)
        h.manager.deleteTemporaryDestination(topic, owner: owner)
        guard case .failure(let e)? = h.send("late", to: queue) else { return XCTFail("accepted") }
        XCTAssertEqual(e, .deletedTemporaryDestination(queue))
        XCTAssertThrowsError(try h.manager.checkTopic(topic))
        XCTAssertNotNil(try? h.send("still", to: kept)?.get())
    }

    func testTemporaryTopicIsCheckedUntilItsConnectionCloses() throws {
        let h = QueueHarness()
        let owner = ObjectIdentifier(h.loop)
        let topic = h.manager.createTemporaryTopic(owner: owner)
        XCTAssertNoThrow(try h.manager.checkTopic(topic))
        XCTAssertNoThrow(try h.manager.checkTopic("ordinary/topic"))
        h.manager.deleteTemporaryDestinations(owner: owner)
        XCTAssertThrowsError(try h.manager.checkTopic(topic))
    }
}

extension QueueRoutingTests {
    func testAProducerBlockedOnATemporaryQueueThatGoesAwayGetsTheError() throws {
        let h = QueueHarness(policy: QueuePolicy(maxMessages: 1, overflow: .block))
        let owner = ObjectIdentifier(h.loop)
        let name = h.manager.createTemporaryQueue(owner: owner)
        XCTAssertNotNil(try? h.send("first", to: name)?.get())
        let waiting = NIOLockedBox<Result<Void, QueueError>?>(nil)
        h.manager.send(h.message("second"), to: name) { waiting.value = $0 }
        XCTAssertNil(waiting.value, "blocked while the queue is full")
        h.manager.deleteTemporaryDestinations(owner: owner)
        guard case .failure(let e)? = waiting.value else { return XCTFail("the blocked send never finished") }
        XCTAssertEqual(e, .deletedTemporaryDestination(name))
    }
}
