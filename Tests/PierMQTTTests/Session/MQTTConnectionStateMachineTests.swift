import NIOCore
import PierCore
import XCTest
@testable import PierMQTT

/// QoS flows, keepalive, session expiry, aliases and flow control, with no sockets involved.
final class MQTTConnectionStateMachineTests: XCTestCase {
    private func message(_ topic: String, _ payload: String = "x", qos: QoS = .atLeastOnce, expiresAt: Int64? = nil) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: payload), qos: qos, expiresAt: expiresAt)
    }

    private func delivery(_ topic: String, _ payload: String = "x", qos: QoS = .atLeastOnce, ids: [UInt32] = []) -> Delivery {
        Delivery(message: message(topic, payload, qos: qos), qos: qos, retain: false, subscriptionIdentifiers: ids)
    }

    private func publishes(_ out: MQTTTestConnection.Outcome) -> [MQTTPublish] {
        out.sent.compactMap { if case .publish(let p) = $0 { return p } else { return nil } }
    }

    private func connected(_ version: MQTTProtocolVersion = .v5, configuration: MQTTServerConfiguration = .init(),
                           properties: MQTTProperties = .init(), cleanStart: Bool = true, keepAlive: UInt16 = 60) -> MQTTTestConnection {
        var c = MQTTTestConnection(configuration: configuration)
        c.connect(MQTTConnect(protocolVersion: version, clientID: "sm", cleanStart: cleanStart, keepAlive: keepAlive, properties: properties))
        XCTAssertTrue(c.machine.isConnected)
        return c
    }

    // MARK: - Incoming QoS

    func testIncomingQoS1IsRoutedThenAcknowledged() {
        var c = connected()
        let out = c.feed(packet: .publish(MQTTPublish(topic: "a/b", payload: ByteBuffer(string: "hi"), qos: .atLeastOnce, packetID: 5)))
        XCTAssertEqual(out.published.map(\.topic), ["a/b"])
        XCTAssertEqual(out.published.first?.origin, "sm")
        XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: 5))])
    }

    func testIncomingQoS2ExactlyOnceWithDuplicatePublishAndPubrel() {
        var c = connected(.v3_1_1)
        let publish = MQTTPublish(topic: "t", payload: ByteBuffer(string: "once"), qos: .exactlyOnce, packetID: 9)
        var out = c.feed(packet: .publish(publish))
        XCTAssertEqual(out.published.count, 1)
        XCTAssertEqual(out.sent, [.pubrec(MQTTPubAck(packetID: 9))])

        var dup = publish
        dup.dup = true
        out = c.feed(packet: .publish(dup))
        XCTAssertEqual(out.published.count, 0, "a resent QoS 2 PUBLISH must not be routed twice")
        XCTAssertEqual(out.sent, [.pubrec(MQTTPubAck(packetID: 9))])

        out = c.feed(packet: .pubrel(MQTTPubAck(packetID: 9)))
        XCTAssertEqual(out.sent, [.pubcomp(MQTTPubAck(packetID: 9))])
        // A duplicate PUBREL (our PUBCOMP was lost) is completed again.
        out = c.feed(packet: .pubrel(MQTTPubAck(packetID: 9)))
        XCTAssertEqual(out.sent, [.pubcomp(MQTTPubAck(packetID: 9))])
        // After release the same id starts a new exchange.
        out = c.feed(packet: .publish(publish))
        XCTAssertEqual(out.published.count, 1)
    }

    func testDuplicatePubrelIn5ReportsNotFound() {
        var c = connected()
        _ = c.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 3)))
        XCTAssertEqual(c.feed(packet: .pubrel(MQTTPubAck(packetID: 3))).sent, [.pubcomp(MQTTPubAck(packetID: 3))])
        XCTAssertEqual(c.feed(packet: .pubrel(MQTTPubAck(packetID: 3))).sent,
                       [.pubcomp(MQTTPubAck(packetID: 3, reasonCode: .packetIdentifierNotFound))])
    }

    func testIncomingQoS2StateSurvivesReconnect() {
        var first = connected(cleanStart: false)
        _ = first.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 4)))
        let state = first.close().detached!.state
        XCTAssertEqual(state.incoming, [DeliveryKey(packetID: 4)])

        var second = MQTTTestConnection()
        second.connect(MQTTConnect(protocolVersion: .v5, clientID: "sm", cleanStart: false), sessionPresent: true, resumed: state)
        let out = second.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, dup: true, packetID: 4)))
        XCTAssertTrue(out.published.isEmpty, "exactly-once must hold across a reconnect")
        XCTAssertEqual(second.feed(packet: .pubrel(MQTTPubAck(packetID: 4))).sent, [.pubcomp(MQTTPubAck(packetID: 4))])
    }

    func testExactlyOnceProgressIsRecordedForDurability() {
        var c = connected()
        let out = c.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 8)))
        XCTAssertEqual(out.progress, [.incomingHeld(key: DeliveryKey(packetID: 8))])
        XCTAssertEqual(c.feed(packet: .pubrel(MQTTPubAck(packetID: 8))).progress, [.incomingDone(key: DeliveryKey(packetID: 8))])
    }

    func testOutgoingProgressIsRecordedForStoredMessages() {
        var c = connected()
        var d1 = delivery("a", qos: .atLeastOnce)
        d1.message.id = 100
        var d2 = delivery("b", qos: .exactlyOnce)
        d2.message.id = 101
        let sent = c.deliver([d1, d2])
        let ids = publishes(sent).map { $0.packetID! }
        XCTAssertEqual(sent.progress, [.sent(messageID: 100, key: DeliveryKey(packetID: ids[0])), .sent(messageID: 101, key: DeliveryKey(packetID: ids[1]))])
        XCTAssertEqual(c.feed(packet: .puback(MQTTPubAck(packetID: ids[0]))).progress, [.completed(messageID: 100)])
        XCTAssertEqual(c.feed(packet: .pubrec(MQTTPubAck(packetID: ids[1]))).progress, [.advanced(key: DeliveryKey(packetID: ids[1]))])
        XCTAssertEqual(c.feed(packet: .pubcomp(MQTTPubAck(packetID: ids[1]))).progress, [.completed(messageID: 101)])
    }

    // MARK: - Outgoing QoS

    func testOutgoingQoS1FlowAndWindow() {
        var c = connected(configuration: MQTTServerConfiguration(maxInflight: 2))
        let out = c.deliver([delivery("a"), delivery("b"), delivery("c")])
        let sent = publishes(out)
        XCTAssertEqual(sent.map(\.packetID), [1, 2])
        XCTAssertEqual(c.machine.pendingCount, 1)
        let after = c.feed(packet: .puback(MQTTPubAck(packetID: 1)))
        XCTAssertEqual(publishes(after).map { $0.payload.getString(at: 0, length: 1) }, ["x"])
        XCTAssertEqual(publishes(after).map(\.packetID), [3])
        XCTAssertEqual(c.machine.inflightCount, 2)
    }

    func testClientReceiveMaximumCapsTheWindow() {
        var p = MQTTProperties()
        p.receiveMaximum = 1
        var c = connected(configuration: MQTTServerConfiguration(maxInflight: 20), properties: p)
        XCTAssertEqual(publishes(c.deliver([delivery("a"), delivery("b")])).count, 1)
    }

    func testOutgoingQoS2Flow() {
        var c = connected()
        let p = publishes(c.deliver([delivery("t", qos: .exactlyOnce)]))
        XCTAssertEqual(p.count, 1)
        let id = p[0].packetID!
        XCTAssertEqual(c.feed(packet: .pubrec(MQTTPubAck(packetID: id))).sent, [.pubrel(MQTTPubAck(packetID: id))])
        XCTAssertEqual(c.machine.inflightCount, 1)
        XCTAssertEqual(c.feed(packet: .pubcomp(MQTTPubAck(packetID: id))).sent, [])
        XCTAssertEqual(c.machine.inflightCount, 0)
    }

    func testPubrecWithErrorEndsExchange() {
        var c = connected()
        let id = publishes(c.deliver([delivery("t", qos: .exactlyOnce)]))[0].packetID!
        let out = c.feed(packet: .pubrec(MQTTPubAck(packetID: id, reasonCode: .notAuthorized)))
        XCTAssertEqual(out.sent, [])
        XCTAssertEqual(c.machine.inflightCount, 0)
    }

    func testRedeliveryWithDupAfterReconnect() {
        var first = connected(cleanStart: false)
        let sent = publishes(first.deliver([delivery("q1", qos: .atLeastOnce), delivery("q2", qos: .exactlyOnce)]))
        XCTAssertEqual(sent.count, 2)
        _ = first.feed(packet: .pubrec(MQTTPubAck(packetID: sent[1].packetID!)))
        let detached = first.close().detached!
        XCTAssertTrue(detached.publishWill, "an abnormal close publishes the will")

        var second = MQTTTestConnection()
        let out = second.connect(MQTTConnect(protocolVersion: .v5, clientID: "sm", cleanStart: false),
                                 sessionPresent: true, resumed: detached.state)
        guard out.sent.count == 3, case .connack(let ack) = out.sent[0], case .publish(let again) = out.sent[1] else {
            return XCTFail("unexpected \(out.sent)")
        }
        XCTAssertTrue(ack.sessionPresent)
        XCTAssertTrue(again.dup)
        XCTAssertEqual(again.packetID, sent[0].packetID)
        XCTAssertEqual(again.topic, "q1")
        XCTAssertEqual(out.sent[2], .pubrel(MQTTPubAck(packetID: sent[1].packetID!)))
        // New packet ids don't collide with the resumed ones.
        let next = publishes(second.deliver([delivery("q3")]))
        XCTAssertFalse(sent.map(\.packetID).contains(next[0].packetID))
    }

    func testQueuedMessagesBeyondLimitAreDropped() {
        var c = connected(configuration: MQTTServerConfiguration(maxInflight: 1, maxQueued: 1))
        let out = c.deliver([delivery("a"), delivery("b"), delivery("c")])
        XCTAssertEqual(publishes(out).count, 1)
        XCTAssertEqual(out.dropped, 1)
    }

    func testOfflineBacklogOnReconnectIsNotCutToMaxQueued() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maxInflight: 2, maxQueued: 3))
        let backlog = (0..<10).map { delivery("t", "\($0)") }
        let out = c.connect(MQTTConnect(protocolVersion: .v5, clientID: "sm", cleanStart: false), sessionPresent: true, queued: backlog)
        XCTAssertEqual(out.dropped, 0)
        XCTAssertEqual(publishes(out).count, 2)
        XCTAssertEqual(c.machine.pendingCount, 8)
        // Live traffic on top of the backlog is still bounded.
        XCTAssertEqual(c.deliver([delivery("t", "live")]).dropped, 1)
    }

    func testPendingMessagesGoBackOnClose() {
        var c = connected(configuration: MQTTServerConfiguration(maxInflight: 1))
        _ = c.deliver([delivery("a"), delivery("b")])
        var undelivered: [Delivery] = []
        for action in c.machine.channelClosed() {
            if case .detach(_, _, _, let rest) = action { undelivered = rest }
        }
        XCTAssertEqual(undelivered.map(\.message.topic), ["b"])
    }

    func testSlowReaderDropsQoS0AndQueuesQoS1UntilWritable() {
        var c = connected()
        var out = MQTTTestConnection.Outcome()
        c.apply(c.machine.writabilityChanged(false, now: c.now), into: &out)
        let held = c.deliver([delivery("t", qos: .atMostOnce), delivery("t", qos: .atLeastOnce)])
        XCTAssertTrue(publishes(held).isEmpty, "nothing is written while the socket is full")
        XCTAssertEqual(held.dropped, 1)
        XCTAssertEqual(c.machine.pendingCount, 1)
        var resumed = MQTTTestConnection.Outcome()
        c.apply(c.machine.writabilityChanged(true, now: c.now), into: &resumed)
        XCTAssertEqual(publishes(resumed).map(\.qos), [.atLeastOnce])
    }

    // MARK: - 5.0 features

    func testSubscriptionIdentifiersAndExpiryForwarded() {
        var c = connected()
        var d = delivery("t", ids: [1, 2])
        d.message.expiresAt = c.now + 4_500
        let p = publishes(c.deliver([d]))[0]
        XCTAssertEqual(p.properties.subscriptionIdentifiers, [1, 2])
        XCTAssertEqual(p.properties.messageExpiryInterval, 5)
    }

    func testExpiredMessageIsNotSent() {
        var c = connected()
        var d = delivery("t")
        d.message.expiresAt = c.now - 1
        let out = c.deliver([d])
        XCTAssertTrue(publishes(out).isEmpty)
        XCTAssertEqual(out.dropped, 1)
    }

    func testOutgoingTopicAliases() {
        var p = MQTTProperties()
        p.topicAliasMaximum = 2
        var c = connected(properties: p)
        let sent = publishes(c.deliver([delivery("t1", qos: .atMostOnce), delivery("t1", qos: .atMostOnce),
                                        delivery("t2", qos: .atMostOnce), delivery("t3", qos: .atMostOnce)]))
        XCTAssertEqual(sent.map(\.topic), ["t1", "", "t2", "t3"])
        XCTAssertEqual(sent.map(\.properties.topicAlias), [1, 1, 2, nil])
    }

    func testNoAliasesWhenClientAllowsNone() {
        var c = connected()
        let sent = publishes(c.deliver([delivery("t1", qos: .atMostOnce), delivery("t1", qos: .atMostOnce)]))
        XCTAssertEqual(sent.map(\.topic), ["t1", "t1"])
    }

    func testIncomingTopicAlias() {
        var c = connected()
        var p = MQTTProperties()
        p.topicAlias = 3
        XCTAssertEqual(c.feed(packet: .publish(MQTTPublish(topic: "x/y", payload: ByteBuffer(), properties: p))).published.map(\.topic), ["x/y"])
        XCTAssertEqual(c.feed(packet: .publish(MQTTPublish(topic: "", payload: ByteBuffer(), properties: p))).published.map(\.topic), ["x/y"])
    }

    func testClientMaximumPacketSizeDropsLargeMessages() {
        var p = MQTTProperties()
        p.maximumPacketSize = 50
        var c = connected(properties: p)
        let out = c.deliver([delivery("t", String(repeating: "x", count: 100)), delivery("t", "small")])
        XCTAssertEqual(publishes(out).map { $0.payload.readableBytes }, [5])
        XCTAssertEqual(out.dropped, 1)
    }

    func testConnackAdvertisesLimitsAndServerKeepAlive() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maximumPacketSize: 4096, receiveMaximum: 7, maxKeepAlive: 30,
                                                                         topicAliasMaximum: 5))
        let out = c.connect(MQTTConnect(protocolVersion: .v5, clientID: "", keepAlive: 0))
        guard case .connack(let ack) = out.sent.first else { return XCTFail() }
        XCTAssertEqual(ack.properties.receiveMaximum, 7)
        XCTAssertEqual(ack.properties.maximumPacketSize, 4096)
        XCTAssertEqual(ack.properties.topicAliasMaximum, 5)
        XCTAssertEqual(ack.properties.serverKeepAlive, 30)
        XCTAssertNotNil(ack.properties.assignedClientIdentifier)
        XCTAssertEqual(c.machine.clientID, ack.properties.assignedClientIdentifier)
    }

    func testSessionExpiryIsCappedAndReported() {
        var p = MQTTProperties()
        p.sessionExpiryInterval = 1000
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maxSessionExpiry: 100))
        let out = c.connect(MQTTConnect(protocolVersion: .v5, clientID: "e", cleanStart: false, properties: p))
        guard case .connack(let ack) = out.sent.first else { return XCTFail() }
        XCTAssertEqual(ack.properties.sessionExpiryInterval, 100)
        XCTAssertEqual(c.lastAttach?.sessionExpiry, 100)
    }

    func testDisconnectCanChangeSessionExpiry() {
        var p = MQTTProperties()
        p.sessionExpiryInterval = 60
        var c = connected(properties: p)
        var dp = MQTTProperties()
        dp.sessionExpiryInterval = 5
        XCTAssertTrue(c.feed(packet: .disconnect(MQTTDisconnect(properties: dp))).closed)
        let detached = c.close().detached!
        XCTAssertEqual(detached.expiry, 5)
        XCTAssertFalse(detached.publishWill, "a normal DISCONNECT discards the will")
    }

    func testDisconnectWithWillPublishesIt() {
        var c = connected()
        _ = c.feed(packet: .disconnect(MQTTDisconnect(reasonCode: .disconnectWithWill)))
        XCTAssertEqual(c.close().detached?.publishWill, true)
    }

    func test311PersistentSessionUsesTheCap() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(maxSessionExpiry: 777))
        c.connect(MQTTConnect(protocolVersion: .v3_1_1, clientID: "p", cleanStart: false))
        XCTAssertEqual(c.lastAttach?.sessionExpiry, 777)
    }

    func testWillIsPassedToAttach() {
        var c = MQTTTestConnection()
        var wp = MQTTProperties()
        wp.willDelayInterval = 3
        c.connect(MQTTConnect(protocolVersion: .v5, clientID: "w",
                              will: MQTTWill(topic: "dead", payload: ByteBuffer(string: "bye"), qos: .atLeastOnce, retain: true, properties: wp)))
        XCTAssertEqual(c.lastAttach?.will?.message.topic, "dead")
        XCTAssertEqual(c.lastAttach?.will?.delaySeconds, 3)
        XCTAssertEqual(c.lastAttach?.will?.message.retain, true)
    }

    // MARK: - Keepalive and timeouts

    func testKeepAliveEnforcedAtOneAndAHalfTimes() {
        var c = connected(keepAlive: 10)
        let start = c.now
        XCTAssertFalse(c.tick(to: start + 14_999).closed)
        _ = c.feed(packet: .pingreq)
        XCTAssertFalse(c.tick(to: start + 20_000).closed, "activity resets the keepalive clock")
        let out = c.tick(to: start + 14_999 + 15_001)
        XCTAssertTrue(out.closed)
        XCTAssertEqual(out.sent, [.disconnect(MQTTDisconnect(reasonCode: .keepAliveTimeout))])
        XCTAssertEqual(c.close().detached?.publishWill, true)
    }

    func testKeepAliveTimeout311ClosesSilently() {
        var c = connected(.v3_1_1, keepAlive: 2)
        let out = c.tick(to: c.now + 3_000)
        XCTAssertTrue(out.closed)
        XCTAssertTrue(out.sent.isEmpty)
    }

    func testKeepAliveZeroMeansNoTimeoutWhenAllowed() {
        var c = connected(.v3_1_1, configuration: MQTTServerConfiguration(maxKeepAlive: 0), keepAlive: 0)
        XCTAssertFalse(c.tick(to: c.now + 10_000_000).closed)
    }

    func testConnectTimeout() {
        var c = MQTTTestConnection(configuration: MQTTServerConfiguration(connectTimeoutMillis: 2_000))
        XCTAssertFalse(c.tick(to: c.now + 1_999).closed)
        XCTAssertTrue(c.tick(to: c.now + 1).closed)
    }

    // MARK: - Authorization

    private struct DenyAll: Authorizer {
        func canPublish(_ identity: ClientIdentity, topic: String) -> Bool { false }
        func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool { false }
        func canRead(_ identity: ClientIdentity, topic: String) -> Bool { false }
    }

    func testDeniedPublishAndSubscribe5() {
        var c = MQTTTestConnection(authorizer: DenyAll())
        c.connect(MQTTConnect(protocolVersion: .v5, clientID: "d"))
        var out = c.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .atLeastOnce, packetID: 1)))
        XCTAssertTrue(out.published.isEmpty)
        XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: 1, reasonCode: .notAuthorized))])
        out = c.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 2)))
        XCTAssertEqual(out.sent, [.pubrec(MQTTPubAck(packetID: 2, reasonCode: .notAuthorized))])
        out = c.feed(packet: .subscribe(MQTTSubscribe(packetID: 3, subscriptions: [MQTTSubscription(filter: "t", qos: .atLeastOnce)])))
        XCTAssertEqual(out.sent, [.suback(MQTTSubAck(packetID: 3, reasonCodes: [.notAuthorized]))])
        XCTAssertTrue(out.subscribed.isEmpty)
    }

    func testDeniedPublishSilentlyDropped311() {
        var c = MQTTTestConnection(authorizer: DenyAll())
        c.connect(MQTTConnect(protocolVersion: .v3_1_1, clientID: "d"))
        let out = c.feed(packet: .publish(MQTTPublish(topic: "t", payload: ByteBuffer(), qos: .atLeastOnce, packetID: 1)))
        XCTAssertTrue(out.published.isEmpty)
        XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: 1))])
        let sub = c.feed(packet: .subscribe(MQTTSubscribe(packetID: 3, subscriptions: [MQTTSubscription(filter: "t", qos: .atLeastOnce)])))
        XCTAssertEqual(sub.sent, [.suback(MQTTSubAck(packetID: 3, reasonCodes: [.unspecifiedError]))])
    }

    func testPublishToSysIsRefusedWithoutAnExplicitGrant5() {
        var c = connected()
        for (id, topic) in [(UInt16(1), "$SYS/broker/uptime"), (2, "$SYS")] {
            let out = c.feed(packet: .publish(MQTTPublish(topic: topic, payload: ByteBuffer(string: "x"), qos: .atLeastOnce, packetID: id)))
            XCTAssertTrue(out.published.isEmpty, topic)
            XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: id, reasonCode: .notAuthorized))])
        }
        let rec = c.feed(packet: .publish(MQTTPublish(topic: "$SYS/x", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 3)))
        XCTAssertEqual(rec.sent, [.pubrec(MQTTPubAck(packetID: 3, reasonCode: .notAuthorized))])
        // Only `$SYS` itself is the broker's; other `$` topics and look-alikes are ordinary.
        for topic in ["$SYSTEM/x", "$other/x", "a/$SYS/x"] {
            let out = c.feed(packet: .publish(MQTTPublish(topic: topic, payload: ByteBuffer(string: "x"), qos: .atMostOnce)))
            XCTAssertEqual(out.published.map(\.topic), [topic])
        }
    }

    func testPublishToSysIsSilentlyDropped311() {
        var c = connected(.v3_1_1)
        let out = c.feed(packet: .publish(MQTTPublish(topic: "$SYS/broker/x", payload: ByteBuffer(string: "x"), qos: .atLeastOnce, packetID: 1)))
        XCTAssertTrue(out.published.isEmpty)
        XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: 1))])
        XCTAssertFalse(out.closed)
    }

    private struct GrantsSys: Authorizer {
        func canPublish(_ identity: ClientIdentity, topic: String) -> Bool { true }
        func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool { true }
        func canRead(_ identity: ClientIdentity, topic: String) -> Bool { true }
        func canPublishSystem(_ identity: ClientIdentity, topic: String) -> Bool { topic.hasPrefix("$SYS/granted/") }
    }

    func testPublishToSysIsAllowedWithAnExplicitGrant() {
        var c = MQTTTestConnection(authorizer: GrantsSys())
        c.connect(MQTTConnect(protocolVersion: .v5, clientID: "g"))
        var out = c.feed(packet: .publish(MQTTPublish(topic: "$SYS/granted/x", payload: ByteBuffer(), qos: .atLeastOnce, packetID: 1)))
        XCTAssertEqual(out.published.map(\.topic), ["$SYS/granted/x"])
        out = c.feed(packet: .publish(MQTTPublish(topic: "$SYS/other", payload: ByteBuffer(), qos: .atLeastOnce, packetID: 2)))
        XCTAssertTrue(out.published.isEmpty)
        XCTAssertEqual(out.sent, [.puback(MQTTPubAck(packetID: 2, reasonCode: .notAuthorized))])
    }

    func testConnack31NeverSetsSessionPresent() {
        var c = MQTTTestConnection()
        let out = c.connect(MQTTConnect(protocolVersion: .v3_1, clientID: "old", cleanStart: false), sessionPresent: true)
        XCTAssertEqual(out.sent.first, .connack(MQTTConnAck(sessionPresent: false, reasonCode: .success)))
        var d = MQTTTestConnection()
        let out311 = d.connect(MQTTConnect(protocolVersion: .v3_1_1, clientID: "new", cleanStart: false), sessionPresent: true)
        XCTAssertEqual(out311.sent.first, .connack(MQTTConnAck(sessionPresent: true, reasonCode: .success)))
    }

    func testSubscribeGrantsRequestedQoSAndPassesOptions() {
        var c = connected()
        var p = MQTTProperties()
        p.subscriptionIdentifiers = [42]
        let out = c.feed(packet: .subscribe(MQTTSubscribe(packetID: 1, subscriptions: [
            MQTTSubscription(filter: "a/+", qos: .exactlyOnce, noLocal: true, retainAsPublished: true, retainHandling: 2),
        ], properties: p)))
        XCTAssertEqual(out.sent, [.suback(MQTTSubAck(packetID: 1, reasonCodes: [.grantedQoS2]))])
        let options = out.subscribed.first?.options
        XCTAssertEqual(options?.subscriptionIdentifier, 42)
        XCTAssertEqual(options?.noLocal, true)
        XCTAssertEqual(options?.retainAsPublished, true)
        XCTAssertEqual(options?.retainHandling, .doNotSend)
    }

    func testTakeoverSendsSessionTakenOver() {
        var c = connected()
        var out = MQTTTestConnection.Outcome()
        c.apply(c.machine.takenOver(), into: &out)
        XCTAssertEqual(out.sent, [.disconnect(MQTTDisconnect(reasonCode: .sessionTakenOver))])
        XCTAssertTrue(out.closed)
    }
}
