import NIOCore
import NIOEmbedded
import XCTest

@testable import PierCore

/// Topic publishes through `Broker` reach queues (virtual topics, durable subscriptions) in the
/// publish's own log record, and queue state comes back through `Broker.restore`.
final class BrokerQueueRoutingTests: XCTestCase {
    private func publish(_ broker: Broker, _ topic: String, _ text: String, qos: QoS = .atLeastOnce) {
        broker.publish(Message(destination: .topic(topic), payload: ByteBuffer(string: text), qos: qos))
    }

    func testVirtualTopicCopiesAreWrittenWithThePublishInOneRecord() throws {
        let loop = EmbeddedEventLoop()
        let storage = RecordingStorage()
        let broker = Broker(group: loop, storage: storage)
        let rec = RecordingConsumer(loop: loop)
        _ = try broker.queues.addConsumer(queue: "Consumer.A.VirtualTopic.Orders", options: ConsumerOptions(), connection: rec)
        _ = try broker.queues.addConsumer(queue: "Consumer.B.VirtualTopic.Orders", options: ConsumerOptions(), connection: RecordingConsumer(loop: loop))
        publish(broker, "VirtualTopic/Orders", "o1")
        loop.run()
        XCTAssertEqual(rec.payloads, ["o1"])
        let publishRecord = try XCTUnwrap(storage.appends.first { $0.contains { if case .published = $0 { return true }; return false } })
        let copies = publishRecord.filter { if case .queueEnqueued = $0 { return true }; return false }
        XCTAssertEqual(copies.count, 2, "both queue copies share the publish's record")
    }

    func testQoS0CopiesAreNotPersistent() throws {
        let loop = EmbeddedEventLoop()
        let storage = RecordingStorage()
        let broker = Broker(group: loop, storage: storage)
        let rec = RecordingConsumer(loop: loop)
        _ = try broker.queues.addConsumer(queue: "Consumer.A.VirtualTopic.Ticks", options: ConsumerOptions(), connection: rec)
        publish(broker, "VirtualTopic/Ticks", "t", qos: .atMostOnce)
        loop.run()
        XCTAssertEqual(rec.payloads, ["t"])
        XCTAssertTrue(storage.appends.isEmpty)
    }

    func testDurableSubscriptionAndQueueSurviveRestore() throws {
        let loop = EmbeddedEventLoop()
        let storage = RecordingStorage()
        let broker = Broker(group: loop, storage: storage)
        _ = try broker.queues.subscribeDurable(DurableSubscription(clientID: "app", name: "all", filter: "plant/#"))
        publish(broker, "plant/line1", "p1")
        broker.queues.send(Message(destination: .queue("jobs"), payload: ByteBuffer(string: "j1"), qos: .atLeastOnce), to: "jobs") { _ in }
        loop.run()

        // A second broker on the same storage: what a restart sees.
        let restarted = Broker(group: loop, storage: storage)
        try restarted.restore()
        XCTAssertEqual(restarted.queues.durableSubscriptions.map(\.name), ["all"])
        XCTAssertEqual(restarted.queues.browse(queue: "$durable/app/all").map { String(buffer: $0.payload) }, ["p1"])
        XCTAssertEqual(restarted.queues.browse(queue: "jobs").map { String(buffer: $0.payload) }, ["j1"])
        // New ids continue above the restored ones.
        publish(restarted, "plant/line2", "p2")
        loop.run()
        let ids = restarted.queues.browse(queue: "$durable/app/all").compactMap(\.id)
        XCTAssertEqual(ids.count, 2)
        XCTAssertLessThan(ids[0], ids[1])
    }

    func testAMessageDeliveredBeforeARestartComesBackRedelivered() throws {
        let loop = EmbeddedEventLoop()
        let storage = RecordingStorage()
        let broker = Broker(group: loop, storage: storage)
        broker.queues.send(Message(destination: .queue("jobs"), payload: ByteBuffer(string: "j1"), qos: .atLeastOnce), to: "jobs") { _ in }
        let rec = RecordingConsumer(loop: loop)
        _ = try broker.queues.addConsumer(queue: "jobs", options: ConsumerOptions(), connection: rec)
        loop.run()
        XCTAssertEqual(rec.received.map(\.message.redelivered), [false])

        let restarted = Broker(group: loop, storage: storage)
        try restarted.restore()
        let again = RecordingConsumer(loop: loop)
        _ = try restarted.queues.addConsumer(queue: "jobs", options: ConsumerOptions(), connection: again)
        loop.run()
        XCTAssertEqual(again.payloads, ["j1"])
        XCTAssertEqual(again.received.map(\.message.redelivered), [true])
    }
}
