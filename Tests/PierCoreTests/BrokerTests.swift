import Logging
import NIOConcurrencyHelpers
import NIOCore
import PierMetrics
import XCTest
@testable import PierCore

/// Denies reading any topic under `prefix`.
private struct DenyReadAuthorizer: Authorizer {
    var prefix: String
    func canPublish(_ identity: ClientIdentity, topic: String) -> Bool { true }
    func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool { true }
    func canRead(_ identity: ClientIdentity, topic: String) -> Bool { !topic.hasPrefix(prefix) }
}

final class BrokerTests: XCTestCase {
    private var loop: ManualEventLoop!

    override func setUp() {
        super.setUp()
        loop = ManualEventLoop()
    }

    override func tearDown() {
        loop = nil
        super.tearDown()
    }

    // MARK: - Helpers

    private func makeBroker(storage: any BrokerStorage = InMemoryStorage(), authorizer: any Authorizer = AllowAllAuthorizer(),
                            limits: BrokerLimits = .init()) -> Broker {
        Broker(group: loop, storage: storage, authorizer: authorizer, limits: limits, metrics: metrics.factory)
    }

    /// A fresh registry per test (XCTest makes one instance per test method).
    private let metrics = MetricsRegistry()

    private func metric(_ name: String) -> Int {
        MetricsSnapshot(exposition: metrics.prometheus.emitToBuffer()).count(name)
    }

    private func message(_ topic: String, _ payload: String = "p", qos: QoS = .atMostOnce, retain: Bool = false,
                         origin: String? = nil, expiresAt: Int64? = nil) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: payload), qos: qos, retain: retain,
                expiresAt: expiresAt, origin: origin)
    }

    /// Starts an attach; the future may still be pending (takeover).
    private func startAttach(_ broker: Broker, _ clientID: String, cleanStart: Bool = true, expiry: UInt32 = 0,
                             will: WillMessage? = nil, connection: FakeConnection) -> NIOLockedValueBox<AttachResult?> {
        let box = NIOLockedValueBox<AttachResult?>(nil)
        broker.attach(identity: ClientIdentity(clientID: clientID, username: nil), cleanStart: cleanStart,
                      expiryInterval: expiry, will: will, connection: connection)
            .whenSuccess { result in box.withLockedValue { $0 = result } }
        return box
    }

    private func attach(_ broker: Broker, _ clientID: String, cleanStart: Bool = true, expiry: UInt32 = 0,
                        will: WillMessage? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> (Session, FakeConnection, AttachResult) {
        let connection = FakeConnection(eventLoop: loop)
        let box = startAttach(broker, clientID, cleanStart: cleanStart, expiry: expiry, will: will, connection: connection)
        loop.run()
        let result = try XCTUnwrap(box.withLockedValue { $0 }, "attach did not complete", file: file, line: line)
        return (result.session, connection, result)
    }

    private func detach(_ broker: Broker, _ session: Session, _ connection: FakeConnection, publishWill: Bool = false,
                        expiry: UInt32, deliveryState: SessionDeliveryState = .init(), undelivered: [Delivery] = []) {
        broker.detach(session: session, connection: connection, deliveryState: deliveryState, undelivered: undelivered,
                      publishWill: publishWill, expiryInterval: expiry)
    }

    private func payloads(_ deliveries: [Delivery]) -> [String] {
        deliveries.map { String(buffer: $0.message.payload) }
    }

    // MARK: - Routing

    func testPublishReachesMatchingSessionsOnly() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        let (b, connB, _) = try attach(broker, "b")
        let (c, connC, _) = try attach(broker, "c")
        _ = broker.subscribe(session: a, filter: "s/+", options: .init(qos: .atMostOnce))
        _ = broker.subscribe(session: b, filter: "t/#", options: .init(qos: .atMostOnce))
        _ = broker.subscribe(session: c, filter: "s/x/y", options: .init(qos: .atMostOnce))

        XCTAssertEqual(broker.publish(message("s/x", "1")), 1)
        XCTAssertEqual(broker.publish(message("t", "2")), 1)
        XCTAssertEqual(broker.publish(message("s/x/y", "3")), 1)
        XCTAssertEqual(broker.publish(message("nobody", "4")), 0)

        XCTAssertEqual(connA.payloads, ["1"])
        XCTAssertEqual(connB.payloads, ["2"])
        XCTAssertEqual(connC.payloads, ["3"])
        XCTAssertEqual(metric("pier_messages_received_total"), 4)
        XCTAssertEqual(broker.subscriptionCount, 3)
    }

    func testOverlappingSubscriptionsGetOneDeliveryWithAllIdentifiersAndBestQoS() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "s")
        // The best QoS sits on the exact filter, between the wildcard ones whichever way the trie is walked.
        _ = broker.subscribe(session: s, filter: "a/#", options: .init(qos: .atMostOnce, subscriptionIdentifier: 1))
        _ = broker.subscribe(session: s, filter: "a/+", options: .init(qos: .atLeastOnce, subscriptionIdentifier: 2))
        _ = broker.subscribe(session: s, filter: "a/b", options: .init(qos: .exactlyOnce))
        _ = broker.subscribe(session: s, filter: "other", options: .init(qos: .exactlyOnce, subscriptionIdentifier: 9))

        XCTAssertEqual(broker.publish(message("a/b", "q2", qos: .exactlyOnce)), 1)
        XCTAssertEqual(broker.publish(message("a/b", "q1", qos: .atLeastOnce)), 1)
        XCTAssertEqual(broker.publish(message("a/b", "q0", qos: .atMostOnce)), 1)
        XCTAssertEqual(broker.publish(message("a/c", "only-two", qos: .exactlyOnce)), 1)

        let d = conn.deliveries
        XCTAssertEqual(payloads(d), ["q2", "q1", "q0", "only-two"], "one copy per publish")
        XCTAssertEqual(d.map(\.qos), [.exactlyOnce, .atLeastOnce, .atMostOnce, .atLeastOnce], "best subscription QoS, capped by publish QoS")
        for delivery in d.prefix(3) {
            XCTAssertEqual(delivery.subscriptionIdentifiers.sorted(), [1, 2])
        }
        XCTAssertEqual(d[3].subscriptionIdentifiers.sorted(), [1, 2])

        _ = broker.subscribe(session: s, filter: "a/#", options: .init(qos: .atMostOnce, subscriptionIdentifier: 5))
        broker.publish(message("a/z", "replaced", qos: .exactlyOnce))
        XCTAssertEqual(conn.deliveries.last?.qos, .atLeastOnce)
        XCTAssertEqual(conn.deliveries.last?.subscriptionIdentifiers.sorted(), [2, 5], "re-subscribing replaces the identifier")
    }

    func testNoLocal() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        let (b, connB, _) = try attach(broker, "b")
        _ = broker.subscribe(session: a, filter: "chat", options: .init(qos: .atMostOnce, noLocal: true))
        _ = broker.subscribe(session: b, filter: "chat", options: .init(qos: .atMostOnce))

        XCTAssertEqual(broker.publish(message("chat", "from-a", origin: "a")), 1)
        broker.publish(message("chat", "from-b", origin: "b"))
        broker.publish(message("chat", "from-server"))

        XCTAssertEqual(connA.payloads, ["from-b", "from-server"])
        XCTAssertEqual(connB.payloads, ["from-a", "from-b", "from-server"])
    }

    func testNoLocalOnOneOverlappingSubscriptionStillDeliversThroughAnother() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        _ = broker.subscribe(session: a, filter: "chat", options: .init(qos: .atMostOnce, noLocal: true, subscriptionIdentifier: 1))
        _ = broker.subscribe(session: a, filter: "#", options: .init(qos: .atMostOnce, subscriptionIdentifier: 2))
        broker.publish(message("chat", "mine", origin: "a"))
        XCTAssertEqual(connA.payloads, ["mine"])
        XCTAssertEqual(connA.deliveries.first?.subscriptionIdentifiers, [2])
    }

    func testRetainAsPublished() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        let (b, connB, _) = try attach(broker, "b")
        _ = broker.subscribe(session: a, filter: "r", options: .init(qos: .atMostOnce, retainAsPublished: true))
        _ = broker.subscribe(session: b, filter: "r", options: .init(qos: .atMostOnce, retainAsPublished: false))

        broker.publish(message("r", "retained", retain: true))
        broker.publish(message("r", "plain", retain: false))

        XCTAssertEqual(connA.deliveries.map(\.retain), [true, false])
        XCTAssertEqual(connB.deliveries.map(\.retain), [false, false])
        XCTAssertEqual(broker.retainedCount, 1)
    }

    func testExpiredMessageIsNotRouted() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        _ = broker.subscribe(session: a, filter: "#", options: .init(qos: .atMostOnce))
        XCTAssertEqual(broker.publish(message("x", "late", retain: true, expiresAt: BrokerClock.nowMillis() - 1)), 0)
        XCTAssertEqual(broker.publish(message("x", "fresh", expiresAt: BrokerClock.nowMillis() + 60_000)), 1)
        XCTAssertEqual(connA.payloads, ["fresh"])
        XCTAssertEqual(broker.retainedCount, 0)
    }

    func testDeliveryFromAnotherThreadHopsToTheConnectionsLoop() throws {
        let broker = makeBroker()
        let (a, _, _) = try attach(broker, "a")
        _ = broker.subscribe(session: a, filter: "#", options: .init(qos: .atMostOnce))
        // Rebind the session to a connection whose loop reports "not on this loop".
        let otherLoop = ManualEventLoop(inEventLoop: false)
        let remote = FakeConnection(eventLoop: otherLoop)
        detach(broker, a, try XCTUnwrap(a.lock.withLock { a.connection } as? FakeConnection), expiry: 60)
        let box = startAttach(broker, "a", cleanStart: false, expiry: 60, connection: remote)
        otherLoop.run()
        XCTAssertEqual(box.withLockedValue { $0?.sessionPresent }, true)

        XCTAssertEqual(broker.publish(message("x", "1")), 1)
        XCTAssertEqual(broker.publish(message("y", "2")), 1)
        XCTAssertTrue(remote.deliveries.isEmpty, "delivered with execute, not inline")
        otherLoop.run()
        XCTAssertEqual(remote.payloads, ["1", "2"])
    }

    func testUnsubscribe() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        _ = broker.subscribe(session: a, filter: "x/#", options: .init(qos: .atMostOnce))
        broker.publish(message("x/1", "before"))
        XCTAssertTrue(broker.unsubscribe(session: a, filter: "x/#"))
        XCTAssertFalse(broker.unsubscribe(session: a, filter: "x/#"))
        broker.publish(message("x/1", "after"))
        XCTAssertEqual(connA.payloads, ["before"])
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertTrue(a.subscriptionFilters.isEmpty)
    }

    // MARK: - Retained messages on subscribe

    func testRetainedOnSubscribeFollowsRetainHandling() throws {
        let broker = makeBroker()
        broker.publish(message("r/1", "one", qos: .exactlyOnce, retain: true))
        broker.publish(message("r/2", "two", qos: .atMostOnce, retain: true))
        broker.publish(message("q", "elsewhere", retain: true))
        let (s, _, _) = try attach(broker, "s")

        var (isNew, retained) = broker.subscribe(session: s, filter: "r/+", options: .init(qos: .atLeastOnce, retainHandling: .sendOnSubscribe,
                                                                                         subscriptionIdentifier: 7))
        XCTAssertTrue(isNew)
        XCTAssertEqual(payloads(retained), ["one", "two"])
        XCTAssertEqual(retained.map(\.qos), [.atLeastOnce, .atMostOnce], "min of message and subscription QoS")
        XCTAssertTrue(retained.allSatisfy(\.retain), "retained messages sent on subscribe keep the retain flag")
        XCTAssertTrue(retained.allSatisfy { $0.subscriptionIdentifiers == [7] })

        (isNew, retained) = broker.subscribe(session: s, filter: "r/+", options: .init(qos: .atLeastOnce, retainHandling: .sendOnSubscribe))
        XCTAssertFalse(isNew)
        XCTAssertEqual(retained.count, 2, "handling 0 sends on every subscribe")

        (isNew, retained) = broker.subscribe(session: s, filter: "r/#", options: .init(qos: .atLeastOnce, retainHandling: .sendOnNewSubscribe))
        XCTAssertTrue(isNew)
        XCTAssertEqual(retained.count, 2, "handling 1 sends for a new subscription")
        (isNew, retained) = broker.subscribe(session: s, filter: "r/#", options: .init(qos: .atLeastOnce, retainHandling: .sendOnNewSubscribe))
        XCTAssertFalse(isNew)
        XCTAssertTrue(retained.isEmpty, "handling 1 does not send for an existing subscription")

        (isNew, retained) = broker.subscribe(session: s, filter: "#", options: .init(qos: .atLeastOnce, retainHandling: .doNotSend))
        XCTAssertTrue(isNew)
        XCTAssertTrue(retained.isEmpty, "handling 2 never sends")
    }

    func testSharedSubscriptionsGetNoRetainedMessages() throws {
        let broker = makeBroker()
        broker.publish(message("r/1", "one", retain: true))
        let (s, _, _) = try attach(broker, "s")
        let (isNew, retained) = broker.subscribe(session: s, filter: "$share/g/r/#", options: .init(qos: .atLeastOnce))
        XCTAssertTrue(isNew)
        XCTAssertTrue(retained.isEmpty)
    }

    func testEmptyRetainedPayloadClears() throws {
        let storage = InMemoryStorage()
        let broker = makeBroker(storage: storage)
        broker.publish(message("r", "v", retain: true))
        XCTAssertEqual(try storage.load().retained.count, 1)
        broker.publish(message("r", "", retain: true))
        XCTAssertEqual(broker.retainedCount, 0)
        XCTAssertTrue(broker.retainedMessages(matching: "#").isEmpty)
        XCTAssertEqual(try storage.load().retained.count, 0)
        let (s, _, _) = try attach(broker, "s")
        XCTAssertTrue(broker.subscribe(session: s, filter: "r", options: .init(qos: .atMostOnce)).retained.isEmpty)
    }

    func testSysRetainedMessagesAreNotPersisted() throws {
        let storage = InMemoryStorage()
        let broker = makeBroker(storage: storage)
        broker.publishSystem(message("$SYS/broker/uptime", "1", retain: true))
        XCTAssertEqual(broker.retainedMessages(matching: "$SYS/#").count, 1)
        XCTAssertEqual(try storage.load().retained.count, 0)
        XCTAssertEqual(metric("pier_messages_received_total"), 0, "system messages are not client traffic")
    }

    // MARK: - Shared subscriptions

    func testSharedGroupDeliversEachMessageToExactlyOneMemberRoundRobin() throws {
        let broker = makeBroker()
        var members: [FakeConnection] = []
        for id in ["m1", "m2", "m3"] {
            let (s, conn, _) = try attach(broker, id)
            _ = broker.subscribe(session: s, filter: "$share/g/jobs/#", options: .init(qos: .atLeastOnce))
            members.append(conn)
        }
        let (other, otherConn, _) = try attach(broker, "other-group")
        _ = broker.subscribe(session: other, filter: "$share/h/jobs/#", options: .init(qos: .atLeastOnce))
        let (plain, plainConn, _) = try attach(broker, "plain")
        _ = broker.subscribe(session: plain, filter: "jobs/#", options: .init(qos: .atLeastOnce))

        let sent = (1...9).map { "job\($0)" }
        for p in sent { XCTAssertEqual(broker.publish(message("jobs/x", p, qos: .atLeastOnce)), 3) }

        XCTAssertEqual(members.map(\.deliveries.count), [3, 3, 3], "round robin spreads evenly")
        XCTAssertEqual(members.flatMap(\.payloads).sorted(), sent.sorted(), "each message to exactly one member")
        XCTAssertEqual(otherConn.payloads, sent, "every group gets every message")
        XCTAssertEqual(plainConn.payloads, sent)
    }

    func testSharedGroupPrefersConnectedMembers() throws {
        let broker = makeBroker()
        let (offline, offlineConn, _) = try attach(broker, "offline", expiry: 60)
        _ = broker.subscribe(session: offline, filter: "$share/g/t", options: .init(qos: .atLeastOnce))
        let (online, onlineConn, _) = try attach(broker, "online")
        _ = broker.subscribe(session: online, filter: "$share/g/t", options: .init(qos: .atLeastOnce))
        detach(broker, offline, offlineConn, expiry: 60)

        for i in 1...4 { broker.publish(message("t", "\(i)", qos: .atLeastOnce)) }
        XCTAssertEqual(onlineConn.payloads, ["1", "2", "3", "4"])
        XCTAssertEqual(offline.queuedCount, 0)
    }

    func testSharedUnsubscribeLeavesGroup() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        let (b, connB, _) = try attach(broker, "b")
        _ = broker.subscribe(session: a, filter: "$share/g/t", options: .init(qos: .atMostOnce))
        _ = broker.subscribe(session: b, filter: "$share/g/t", options: .init(qos: .atMostOnce))
        XCTAssertTrue(broker.unsubscribe(session: a, filter: "$share/g/t"))
        for i in 1...3 { broker.publish(message("t", "\(i)")) }
        XCTAssertEqual(connA.payloads, [])
        XCTAssertEqual(connB.payloads, ["1", "2", "3"])
    }

    // MARK: - Offline queueing

    func testOfflinePersistentSessionQueuesQoS1And2ButNotQoS0() throws {
        let broker = makeBroker()
        let (s, conn, first) = try attach(broker, "p", cleanStart: true, expiry: 60)
        XCTAssertFalse(first.sessionPresent)
        _ = broker.subscribe(session: s, filter: "q/#", options: .init(qos: .exactlyOnce))
        detach(broker, s, conn, expiry: 60)
        XCTAssertFalse(s.isConnected)
        XCTAssertEqual(broker.sessionCount, 1)

        broker.publish(message("q/1", "zero", qos: .atMostOnce))
        broker.publish(message("q/1", "one", qos: .atLeastOnce))
        broker.publish(message("q/1", "two", qos: .exactlyOnce))
        XCTAssertEqual(s.queuedCount, 2)
        XCTAssertTrue(conn.deliveries.isEmpty)

        let (again, newConn, result) = try attach(broker, "p", cleanStart: false, expiry: 60)
        XCTAssertTrue(result.sessionPresent)
        XCTAssertTrue(again === s)
        XCTAssertEqual(payloads(result.queued), ["one", "two"])
        XCTAssertEqual(result.queued.map(\.qos), [.atLeastOnce, .exactlyOnce])
        XCTAssertEqual(s.queuedCount, 0, "handed over, not kept")

        broker.publish(message("q/2", "live", qos: .atLeastOnce))
        XCTAssertEqual(newConn.payloads, ["live"], "subscriptions survive")
    }

    func testOfflineQueueIsBoundedAndCountsDrops() throws {
        let broker = makeBroker(limits: .init(maxQueuedMessages: 3))
        let (s, conn, _) = try attach(broker, "p", expiry: 60)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, s, conn, expiry: 60)

        for i in 1...5 { broker.publish(message("q", "\(i)", qos: .atLeastOnce)) }
        XCTAssertEqual(s.queuedCount, 3)
        XCTAssertEqual(metric("pier_messages_dropped_total"), 2)

        let (_, _, result) = try attach(broker, "p", cleanStart: false, expiry: 60)
        XCTAssertEqual(payloads(result.queued), ["1", "2", "3"], "the oldest are kept")
    }

    func testOfflineQueueIsBoundedByBytesWarnsOnceNamingTheClientAndCounts() throws {
        let records = LogRecords()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(records: records) }
        // Each message is "q" + 9 payload bytes = 10; room for three.
        let broker = Broker(group: loop, limits: .init(maxQueuedBytes: 35), logger: logger, metrics: metrics.factory)
        let (s, conn, _) = try attach(broker, "sensor-7", expiry: 60)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, s, conn, expiry: 60)

        for i in 0..<6 { broker.publish(message("q", "message-\(i)", qos: .atLeastOnce)) }
        XCTAssertEqual(s.queuedCount, 3)
        XCTAssertEqual(s.queuedBytes, 30)
        XCTAssertEqual(metric("pier_offline_messages_dropped_total"), 3)
        XCTAssertEqual(metric("pier_messages_dropped_total"), 3)
        let warnings = records.all.filter { $0.level == .warning }
        XCTAssertEqual(warnings.count, 1, "rate-limited: one warning for a burst of drops")
        XCTAssertEqual(warnings.first?.metadata["client"], "sensor-7")
        XCTAssertEqual(warnings.first?.metadata["dropped"], "1")

        // QoS 0 is never queued offline, so it is not a drop either.
        broker.publish(message("q", "qos0"))
        XCTAssertEqual(metric("pier_offline_messages_dropped_total"), 3)
        let (_, _, result) = try attach(broker, "sensor-7", cleanStart: false, expiry: 60)
        XCTAssertEqual(payloads(result.queued), ["message-0", "message-1", "message-2"], "the oldest are kept")
    }

    func testDefaultOfflineQueueHoldsFarMoreThanAThousandSmallMessages() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "p", expiry: 60)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, s, conn, expiry: 60)
        for i in 0..<5_000 { broker.publish(message("q", "\(i)", qos: .atLeastOnce)) }
        XCTAssertEqual(s.queuedCount, 5_000)
        XCTAssertEqual(metric("pier_messages_dropped_total"), 0)
    }

    func testUndeliveredMessagesGoAheadOfOfflineQueue() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "p", expiry: 60)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        let undelivered = [Delivery(message: message("q", "u1", qos: .atLeastOnce), qos: .atLeastOnce, retain: false),
                           Delivery(message: message("q", "u0"), qos: .atMostOnce, retain: false)]
        detach(broker, s, conn, expiry: 60, undelivered: undelivered)
        broker.publish(message("q", "later", qos: .atLeastOnce))
        let (_, _, result) = try attach(broker, "p", cleanStart: false, expiry: 60)
        XCTAssertEqual(payloads(result.queued), ["u1", "later"], "QoS 0 leftovers are dropped")
    }

    func testRequeue() throws {
        let broker = makeBroker()
        let deliveries = [QoS.atMostOnce, .atLeastOnce, .exactlyOnce].map {
            Delivery(message: message("q", "\($0.rawValue)", qos: $0), qos: $0, retain: false)
        }

        let (persistent, conn, _) = try attach(broker, "p", expiry: 60)
        detach(broker, persistent, conn, expiry: 60)
        broker.requeue(session: persistent, deliveries)
        XCTAssertEqual(persistent.queuedCount, 2)
        let (_, _, result) = try attach(broker, "p", cleanStart: false, expiry: 60)
        XCTAssertEqual(payloads(result.queued), ["1", "2"])

        let (transient, _, _) = try attach(broker, "t", expiry: 0)
        broker.requeue(session: transient, deliveries)
        XCTAssertEqual(transient.queuedCount, 0, "a session that ends with its connection keeps nothing")
    }

    func testCleanStartDiscardsTheOldSession() throws {
        let storage = InMemoryStorage()
        let broker = makeBroker(storage: storage)
        let (old, conn, _) = try attach(broker, "p", expiry: 60)
        _ = broker.subscribe(session: old, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, old, conn, expiry: 60)
        broker.publish(message("q", "queued", qos: .atLeastOnce))
        XCTAssertEqual(old.queuedCount, 1)

        let (fresh, freshConn, result) = try attach(broker, "p", cleanStart: true, expiry: 60)
        XCTAssertFalse(result.sessionPresent)
        XCTAssertTrue(result.queued.isEmpty)
        XCTAssertFalse(fresh === old)
        XCTAssertTrue(fresh.subscriptionFilters.isEmpty)
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertEqual(broker.sessionCount, 1)
        XCTAssertEqual(broker.publish(message("q", "after", qos: .atLeastOnce)), 0)
        XCTAssertTrue(freshConn.deliveries.isEmpty)
        XCTAssertEqual(try storage.load().sessions.first?.subscriptions.count, 0)
    }

    // MARK: - Session expiry

    func testSessionExpiryZeroEndsTheSessionOnDetach() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "t", expiry: 0)
        _ = broker.subscribe(session: s, filter: "#", options: .init(qos: .atLeastOnce))
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 1)
        detach(broker, s, conn, expiry: 0)
        XCTAssertEqual(broker.sessionCount, 0)
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertNil(broker.session(clientID: "t"))
        XCTAssertEqual(broker.publish(message("x", qos: .atLeastOnce)), 0)
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 0)

        let (_, _, result) = try attach(broker, "t", cleanStart: false, expiry: 0)
        XCTAssertFalse(result.sessionPresent)
    }

    func testDisconnectMayShortenExpiryToZero() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "t", expiry: 60)
        detach(broker, s, conn, expiry: 0)
        XCTAssertEqual(broker.sessionCount, 0)
    }

    func testSessionExpiresAfterItsInterval() throws {
        let storage = InMemoryStorage()
        let broker = makeBroker(storage: storage)
        let (s, conn, _) = try attach(broker, "p", expiry: 2)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, s, conn, expiry: 2)
        XCTAssertEqual(try storage.load().sessions.map(\.clientID), ["p"])

        loop.advanceTime(by: .milliseconds(1_900))
        XCTAssertNotNil(broker.session(clientID: "p"))
        XCTAssertEqual(broker.subscriptionCount, 1)

        loop.advanceTime(by: .milliseconds(200))
        XCTAssertNil(broker.session(clientID: "p"))
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertTrue(try storage.load().sessions.isEmpty)
    }

    func testReattachBeforeExpiryKeepsTheSession() throws {
        let broker = makeBroker()
        let (s, conn, _) = try attach(broker, "p", expiry: 1)
        _ = broker.subscribe(session: s, filter: "q", options: .init(qos: .atLeastOnce))
        detach(broker, s, conn, expiry: 1)
        loop.advanceTime(by: .milliseconds(500))
        let (again, newConn, result) = try attach(broker, "p", cleanStart: false, expiry: 1)
        XCTAssertTrue(result.sessionPresent)
        loop.advanceTime(by: .seconds(5))
        XCTAssertTrue(broker.session(clientID: "p") === again)
        XCTAssertTrue(again.isConnected)
        broker.publish(message("q", "still", qos: .atLeastOnce))
        XCTAssertEqual(newConn.payloads, ["still"])
    }

    func testRequestedExpiryIsCappedByLimits() throws {
        let broker = makeBroker(limits: .init(maxSessionExpiry: 1))
        let (s, conn, _) = try attach(broker, "p", expiry: 3_600)
        detach(broker, s, conn, expiry: 3_600)
        loop.advanceTime(by: .milliseconds(1_100))
        XCTAssertNil(broker.session(clientID: "p"))
    }

    // MARK: - Wills

    private func watch(_ broker: Broker) throws -> FakeConnection {
        let (w, conn, _) = try attach(broker, "watcher")
        _ = broker.subscribe(session: w, filter: "will/#", options: .init(qos: .atLeastOnce))
        return conn
    }

    func testWillIsPublishedOnAbnormalDetachOnly() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/a", "gone", qos: .atLeastOnce))

        let (a, connA, _) = try attach(broker, "a", will: will)
        detach(broker, a, connA, publishWill: true, expiry: 0)
        XCTAssertEqual(watcher.payloads, ["gone"])

        let (b, connB, _) = try attach(broker, "b", will: WillMessage(message: message("will/b", "b-gone")))
        detach(broker, b, connB, publishWill: false, expiry: 0)
        XCTAssertEqual(watcher.payloads, ["gone"], "a normal DISCONNECT discards the will")
    }

    func testWillDelayPublishesAfterTheDelay() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/a", "late"), delaySeconds: 5)
        let (a, connA, _) = try attach(broker, "a", expiry: 60, will: will)
        detach(broker, a, connA, publishWill: true, expiry: 60)

        loop.advanceTime(by: .milliseconds(4_900))
        XCTAssertTrue(watcher.deliveries.isEmpty)
        loop.advanceTime(by: .milliseconds(200))
        XCTAssertEqual(watcher.payloads, ["late"])
        XCTAssertNotNil(broker.session(clientID: "a"), "the session outlives the will delay")
        loop.advanceTime(by: .seconds(120))
        XCTAssertEqual(watcher.payloads, ["late"], "published once")
        XCTAssertNil(broker.session(clientID: "a"))
    }

    func testWillDelayIsCutShortBySessionExpiry() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/a", "at-expiry"), delaySeconds: 30)
        let (a, connA, _) = try attach(broker, "a", expiry: 2, will: will)
        detach(broker, a, connA, publishWill: true, expiry: 2)
        loop.advanceTime(by: .milliseconds(1_900))
        XCTAssertTrue(watcher.deliveries.isEmpty)
        loop.advanceTime(by: .milliseconds(200))
        XCTAssertEqual(watcher.payloads, ["at-expiry"])
        XCTAssertNil(broker.session(clientID: "a"))
        loop.advanceTime(by: .seconds(60))
        XCTAssertEqual(watcher.payloads, ["at-expiry"])
    }

    func testReattachBeforeWillDelayCancelsTheWill() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/a", "never"), delaySeconds: 5)
        let (a, connA, _) = try attach(broker, "a", expiry: 60, will: will)
        detach(broker, a, connA, publishWill: true, expiry: 60)
        loop.advanceTime(by: .seconds(2))
        let (_, _, result) = try attach(broker, "a", cleanStart: false, expiry: 60)
        XCTAssertTrue(result.sessionPresent)
        loop.advanceTime(by: .seconds(30))
        XCTAssertTrue(watcher.deliveries.isEmpty)
    }

    func testCleanStartReattachPublishesAPendingWill() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/a", "ended"), delaySeconds: 5)
        let (a, connA, _) = try attach(broker, "a", expiry: 60, will: will)
        detach(broker, a, connA, publishWill: true, expiry: 60)
        _ = try attach(broker, "a", cleanStart: true, expiry: 60)
        XCTAssertEqual(watcher.payloads, ["ended"], "the old session ended, so its will is due now")
        loop.advanceTime(by: .seconds(30))
        XCTAssertEqual(watcher.payloads, ["ended"])
    }

    // MARK: - Takeover

    func testTakeoverWaitsForTheOldConnectionAndHandsOverItsState() throws {
        let broker = makeBroker()
        let (s, oldConn, _) = try attach(broker, "c", expiry: 60)
        _ = broker.subscribe(session: s, filter: "t", options: .init(qos: .atLeastOnce))

        let newConn = FakeConnection(eventLoop: loop)
        let pending = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: newConn)
        loop.run()
        XCTAssertEqual(oldConn.takenOver, 1)
        XCTAssertNil(pending.withLockedValue { $0 }, "attach waits for the old connection to detach")
        XCTAssertTrue(s.isConnected)

        var state = SessionDeliveryState()
        let inflight = Delivery(message: message("t", "inflight", qos: .atLeastOnce), qos: .atLeastOnce, retain: false)
        state.outgoing = [.init(key: .k(7), delivery: inflight)]
        state.incoming = [.k(3)]
        detach(broker, s, oldConn, publishWill: false, expiry: 60, deliveryState: state)
        loop.run()

        let result = try XCTUnwrap(pending.withLockedValue { $0 })
        XCTAssertTrue(result.sessionPresent)
        XCTAssertTrue(result.session === s)
        XCTAssertEqual(result.deliveryState.outgoing.map(\.key), [.k(7)])
        XCTAssertEqual(result.deliveryState.incoming, [.k(3)])
        XCTAssertEqual(broker.sessionCount, 1)

        broker.publish(message("t", "to-new", qos: .atLeastOnce))
        XCTAssertEqual(newConn.payloads, ["to-new"])
        XCTAssertTrue(oldConn.deliveries.isEmpty)

        // A late detach from the replaced connection changes nothing.
        detach(broker, s, oldConn, expiry: 0)
        XCTAssertTrue(s.isConnected)
        XCTAssertEqual(broker.sessionCount, 1)
        broker.publish(message("t", "still-new", qos: .atLeastOnce))
        XCTAssertEqual(newConn.payloads, ["to-new", "still-new"])
    }

    func testTwoConcurrentTakeoversLeaveOnlyTheLastConnectionAttached() throws {
        let broker = makeBroker()
        let (s, oldConn, _) = try attach(broker, "c", expiry: 60)
        _ = broker.subscribe(session: s, filter: "t", options: .init(qos: .atLeastOnce))
        let connA = FakeConnection(eventLoop: loop), connB = FakeConnection(eventLoop: loop)
        let pendingA = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: connA)
        let pendingB = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: connB)
        detach(broker, s, oldConn, expiry: 60)
        loop.run()
        XCTAssertNotNil(pendingA.withLockedValue { $0 })
        XCTAssertNotNil(pendingB.withLockedValue { $0 })
        XCTAssertEqual(connA.takenOver, 1, "the connection that lost the race is told to close")
        XCTAssertEqual(connB.takenOver, 0)
        broker.publish(message("t", "x", qos: .atLeastOnce))
        XCTAssertEqual(connB.payloads, ["x"])
        XCTAssertTrue(connA.deliveries.isEmpty)
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 1)
        detach(broker, s, connA, expiry: 60)
        XCTAssertTrue(s.isConnected, "the displaced connection's detach is ignored")
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 1)
    }

    func testTakeoverWithCleanStartStartsFresh() throws {
        let broker = makeBroker()
        let (s, oldConn, _) = try attach(broker, "c", expiry: 60)
        _ = broker.subscribe(session: s, filter: "t", options: .init(qos: .atLeastOnce))
        let newConn = FakeConnection(eventLoop: loop)
        let pending = startAttach(broker, "c", cleanStart: true, expiry: 60, connection: newConn)
        XCTAssertEqual(oldConn.takenOver, 1)
        var state = SessionDeliveryState()
        state.incoming = [.k(99)]
        detach(broker, s, oldConn, expiry: 60, deliveryState: state)
        loop.run()
        let result = try XCTUnwrap(pending.withLockedValue { $0 })
        XCTAssertFalse(result.sessionPresent)
        XCTAssertFalse(result.session === s)
        XCTAssertTrue(result.deliveryState.incoming.isEmpty)
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertTrue(broker.session(clientID: "c") === result.session)
    }

    func testTakeoverOfACleanSessionByAResumingConnectFindsNoSession() throws {
        // A 3.1.1 clean session (expiry 0) ends with its connection, so a CONNECT with clean session 0
        // that takes it over must answer session-present 0 and start with nothing of the old one.
        let broker = makeBroker()
        let (s, oldConn, _) = try attach(broker, "c", expiry: 0)
        _ = broker.subscribe(session: s, filter: "t", options: .init(qos: .atLeastOnce))
        let newConn = FakeConnection(eventLoop: loop)
        let pending = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: newConn)
        XCTAssertEqual(oldConn.takenOver, 1)
        detach(broker, s, oldConn, expiry: 0)
        loop.run()
        let result = try XCTUnwrap(pending.withLockedValue { $0 })
        XCTAssertFalse(result.sessionPresent)
        XCTAssertFalse(result.session === s)
        XCTAssertEqual(broker.subscriptionCount, 0)
        XCTAssertTrue(broker.session(clientID: "c") === result.session)
        broker.publish(message("t", "x", qos: .atLeastOnce))
        XCTAssertTrue(newConn.deliveries.isEmpty, "the old session's subscription is gone")
    }

    func testTakeoverPublishesImmediateWillOfOldConnection() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let (s, oldConn, _) = try attach(broker, "c", expiry: 60, will: WillMessage(message: message("will/c", "old-will")))
        let pending = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: FakeConnection(eventLoop: loop))
        detach(broker, s, oldConn, publishWill: true, expiry: 60)
        loop.run()
        XCTAssertNotNil(pending.withLockedValue { $0 })
        XCTAssertEqual(watcher.payloads, ["old-will"])
    }

    func testTakeoverResumingSessionSuppressesDelayedWill() throws {
        let broker = makeBroker()
        let watcher = try watch(broker)
        let will = WillMessage(message: message("will/c", "delayed"), delaySeconds: 5)
        let (s, oldConn, _) = try attach(broker, "c", expiry: 60, will: will)
        let pending = startAttach(broker, "c", cleanStart: false, expiry: 60, connection: FakeConnection(eventLoop: loop))
        detach(broker, s, oldConn, publishWill: true, expiry: 60)
        loop.run()
        XCTAssertEqual(pending.withLockedValue { $0?.sessionPresent }, true)
        loop.advanceTime(by: .seconds(30))
        XCTAssertTrue(watcher.deliveries.isEmpty)
    }

    func testDisconnectAllAsksLiveConnectionsToClose() throws {
        let broker = makeBroker()
        let (_, a, _) = try attach(broker, "a")
        let (p, b, _) = try attach(broker, "b", expiry: 60)
        detach(broker, p, b, expiry: 60)
        broker.disconnectAll()
        XCTAssertEqual(a.shutDown, 1)
        XCTAssertEqual(b.shutDown, 0, "offline sessions have no connection")
    }

    // MARK: - Restore

    func testRestoreBringsBackRetainedMessagesAndPersistentSessions() throws {
        let storage = InMemoryStorage()
        do {
            let first = makeBroker(storage: storage)
            first.publish(message("r/1", "kept", qos: .atLeastOnce, retain: true))
            first.publish(message("r/2", "cleared", retain: true))
            first.publish(message("r/2", "", retain: true))
            let (p, pConn, _) = try attach(first, "persistent", expiry: 600)
            _ = first.subscribe(session: p, filter: "x/#", options: .init(qos: .atLeastOnce, subscriptionIdentifier: 4))
            _ = first.subscribe(session: p, filter: "$share/g/jobs", options: .init(qos: .atLeastOnce))
            detach(first, p, pConn, expiry: 600)
            let (t, _, _) = try attach(first, "transient", expiry: 0)
            _ = first.subscribe(session: t, filter: "x/#", options: .init(qos: .atLeastOnce))
            let (e, eConn, _) = try attach(first, "ended", expiry: 600)
            detach(first, e, eConn, expiry: 0)
        }

        let second = makeBroker(storage: storage)
        try second.restore()
        XCTAssertEqual(second.retainedCount, 1)
        XCTAssertEqual(second.retainedMessages(matching: "#").map { String(buffer: $0.payload) }, ["kept"])
        XCTAssertEqual(second.sessionCount, 1)
        let restored = try XCTUnwrap(second.session(clientID: "persistent"))
        XCTAssertFalse(restored.isConnected)
        XCTAssertEqual(restored.subscriptionFilters["x/#"], SubscriptionOptions(qos: .atLeastOnce, subscriptionIdentifier: 4))
        XCTAssertNotNil(restored.subscriptionFilters["$share/g/jobs"])
        XCTAssertEqual(second.subscriptionCount, 2)
        XCTAssertNil(second.session(clientID: "transient"))

        XCTAssertEqual(second.publish(message("x/1", "while-offline", qos: .atLeastOnce)), 1)
        XCTAssertEqual(second.publish(message("jobs", "job", qos: .atLeastOnce)), 1)
        XCTAssertEqual(restored.queuedCount, 2)
        let (s, _, result) = try attach(second, "persistent", cleanStart: false, expiry: 600)
        XCTAssertTrue(s === restored)
        XCTAssertTrue(result.sessionPresent)
        XCTAssertEqual(payloads(result.queued), ["while-offline", "job"])
        XCTAssertEqual(result.queued.first?.subscriptionIdentifiers, [4])
    }

    func testRestoreBringsBackQueuedAndInFlightMessages() throws {
        let storage = InMemoryStorage()
        do {
            let first = makeBroker(storage: storage)
            let (p, pConn, _) = try attach(first, "dev", expiry: 600)
            _ = first.subscribe(session: p, filter: "q/#", options: .init(qos: .exactlyOnce))
            first.publish(message("q/1", "inflight", qos: .exactlyOnce))
            loop.run()
            let sent = try XCTUnwrap(pConn.deliveries.first)
            first.record(.sent(messageID: sent.message.id!, key: .k(17)), for: p)
            first.record(.advanced(key: .k(17)), for: p)
            first.record(.incomingHeld(key: .k(5)), for: p)
            detach(first, p, pConn, expiry: 600)
            first.publish(message("q/2", "offline", qos: .atLeastOnce))
            first.publish(message("q/3", "fire-and-forget", qos: .atMostOnce))
        }
        let second = makeBroker(storage: storage)
        try second.restore()
        let (_, _, result) = try attach(second, "dev", cleanStart: false, expiry: 600)
        XCTAssertTrue(result.sessionPresent)
        XCTAssertEqual(result.deliveryState.outgoing.map(\.key), [.k(17)])
        XCTAssertEqual(result.deliveryState.outgoing.first?.advanced, true)
        XCTAssertEqual(result.deliveryState.incoming, [.k(5)])
        XCTAssertEqual(payloads(result.queued), ["offline"], "QoS 0 is not kept; QoS 1 queued offline is")
        // New ids continue above the restored ones.
        let (s, sConn, _) = try attach(second, "new", expiry: 0)
        _ = second.subscribe(session: s, filter: "z", options: .init(qos: .atLeastOnce))
        second.publish(message("z", "n", qos: .atLeastOnce))
        loop.run()
        XCTAssertGreaterThan(try XCTUnwrap(sConn.deliveries.first?.message.id), try XCTUnwrap(result.queued.first?.message.id))
    }

    func testRestoredSessionsStillExpire() throws {
        let storage = InMemoryStorage()
        storage.append(.sessionSaved(StoredSession(clientID: "p", username: nil, expiryInterval: 1,
                                                   subscriptions: ["a": .init(qos: .atLeastOnce)])))
        let broker = makeBroker(storage: storage)
        try broker.restore()
        XCTAssertEqual(broker.sessionCount, 1)
        loop.advanceTime(by: .milliseconds(1_100))
        XCTAssertEqual(broker.sessionCount, 0)
        XCTAssertEqual(broker.subscriptionCount, 0)
    }

    // MARK: - Authorization

    func testAuthorizerDenyingReadStopsDelivery() throws {
        let broker = makeBroker(authorizer: DenyReadAuthorizer(prefix: "secret/"))
        broker.publish(message("secret/plans", "s", retain: true))
        broker.publish(message("open/news", "o", retain: true))
        let (s, conn, _) = try attach(broker, "a", expiry: 60)
        let retained = broker.subscribe(session: s, filter: "#", options: .init(qos: .atLeastOnce)).retained
        XCTAssertEqual(payloads(retained), ["o"], "denied retained messages are not sent on subscribe")

        XCTAssertEqual(broker.publish(message("secret/x", "denied")), 0)
        XCTAssertEqual(broker.publish(message("open/x", "allowed")), 1)
        XCTAssertEqual(conn.payloads, ["allowed"])

        detach(broker, s, conn, expiry: 60)
        broker.publish(message("secret/y", "denied", qos: .atLeastOnce))
        XCTAssertEqual(s.queuedCount, 0, "denied messages are not queued either")
    }

    // MARK: - Stats

    func testConnectedClientStats() throws {
        let broker = makeBroker()
        let (a, connA, _) = try attach(broker, "a")
        _ = try attach(broker, "b")
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 2)
        detach(broker, a, connA, expiry: 0)
        XCTAssertEqual(broker.stats.clientsConnected.load(ordering: .relaxed), 1)
        XCTAssertEqual(metric("pier_clients_maximum"), 2)
    }
}

/// Log records kept for assertions.
final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let box = NIOLockedValueBox<[Record]>([])
    var all: [Record] { box.withLockedValue { $0 } }
    func append(_ r: Record) { box.withLockedValue { $0.append(r) } }
}

struct CapturingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
