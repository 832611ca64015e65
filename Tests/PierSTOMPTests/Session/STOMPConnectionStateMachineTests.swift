import NIOCore
import XCTest

@testable import PierSTOMP

final class STOMPConnectionStateMachineTests: XCTestCase {
    private func frame(_ command: STOMPCommand, _ headers: KeyValuePairs<String, String> = [:], body: String = "") -> STOMPFrame {
        STOMPFrame(command, headers, body: ByteBuffer(string: body))
    }

    /// A machine past CONNECT at `version`.
    private func connected(_ version: String = "1.2", heartbeat: String? = nil, clientID: String? = nil) -> STOMPConnectionStateMachine {
        var m = STOMPConnectionStateMachine(now: 0)
        var headers: [STOMPHeader] = [STOMPHeader("accept-version", version), STOMPHeader("host", "/")]
        if let heartbeat { headers.append(STOMPHeader("heart-beat", heartbeat)) }
        if let clientID { headers.append(STOMPHeader("client-id", clientID)) }
        let actions = m.receive(STOMPFrame(.connect, headers: headers), now: 0)
        XCTAssertEqual(actions, [.admit(login: nil, passcode: nil, clientID: clientID)])
        _ = m.connectAdmitted(sessionID: "s1", now: 0)
        return m
    }

    private func errorMessage(_ actions: [STOMPAction], file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard actions.count == 2, case .send(let f) = actions[0], f.command == .error, actions[1] == .close else {
            XCTFail("expected ERROR then close, got \(actions)", file: file, line: line)
            return nil
        }
        return f.header("message")
    }

    // MARK: - Connect

    func testConnectNegotiatesTheHighestCommonVersionAndHeartbeats() {
        var m = STOMPConnectionStateMachine(configuration: .init(heartbeat: STOMPHeartbeat(outgoing: 5000, incoming: 8000)), now: 0)
        XCTAssertEqual(m.receive(frame(.stomp, ["accept-version": "1.0,1.1,1.2", "heart-beat": "4000,10000", "login": "u", "passcode": "p"]), now: 0),
                       [.admit(login: "u", passcode: "p", clientID: nil)])
        let actions = m.connectAdmitted(sessionID: "s", now: 0)
        guard case .send(let connected)? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertEqual(connected.command, .connected)
        XCTAssertEqual(connected.header("version"), "1.2")
        XCTAssertEqual(connected.header("session"), "s")
        // We send every max(5000, 10000); we expect theirs every max(4000, 8000).
        XCTAssertEqual(connected.header("heart-beat"), "10000,8000")
        XCTAssertEqual(m.sendInterval, 10_000)
        XCTAssertEqual(m.receiveInterval, 8_000)
    }

    func testNoAcceptVersionMeansOnePointZeroWithoutHeartbeats() {
        var m = STOMPConnectionStateMachine(now: 0)
        _ = m.receive(frame(.connect, ["heart-beat": "1000,1000"]), now: 0)
        let actions = m.connectAdmitted(sessionID: "s", now: 0)
        guard case .send(let connected)? = actions.first else { return XCTFail() }
        XCTAssertEqual(connected.header("version"), "1.0")
        XCTAssertNil(connected.header("heart-beat"))
        XCTAssertEqual(m.version, .v1_0)
    }

    func testUnsupportedVersionGetsAnErrorListingOurs() {
        var m = STOMPConnectionStateMachine(now: 0)
        let actions = m.receive(frame(.connect, ["accept-version": "2.0"]), now: 0)
        guard case .send(let error)? = actions.first else { return XCTFail() }
        XCTAssertEqual(error.command, .error)
        XCTAssertEqual(error.header("version"), "1.0,1.1,1.2")
        XCTAssertEqual(actions.last, .close)
    }

    func testMalformedHeartbeatIsAnError() {
        var m = STOMPConnectionStateMachine(now: 0)
        XCTAssertNotNil(errorMessage(m.receive(frame(.connect, ["accept-version": "1.2", "heart-beat": "x,1"]), now: 0)))
    }

    func testAFrameBeforeConnectIsAnError() {
        var m = STOMPConnectionStateMachine(now: 0)
        XCTAssertEqual(errorMessage(m.receive(frame(.send, ["destination": "/queue/a"]), now: 0)), "Frame SEND received before CONNECT")
    }

    func testRefusedAdmissionIsAnErrorAndClose() {
        var m = STOMPConnectionStateMachine(now: 0)
        _ = m.receive(frame(.connect, ["accept-version": "1.2"]), now: 0)
        XCTAssertEqual(errorMessage(m.connectRefused("Authentication failed")), "Authentication failed")
        XCTAssertFalse(m.acceptsInput)
    }

    func testSecondConnectIsAnError() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.connect, ["accept-version": "1.2"]), now: 0)), "Already connected")
    }

    // MARK: - Frames after connect

    func testSendNeedsADestinationAndCarriesItsReceipt() {
        var m = connected()
        XCTAssertEqual(m.receive(frame(.send, ["destination": "/queue/a", "receipt": "r1"], body: "x"), now: 0).count, 1)
        var m2 = connected()
        let actions = m2.receive(frame(.send, ["receipt": "r9"]), now: 0)
        guard case .send(let error)? = actions.first else { return XCTFail() }
        XCTAssertEqual(error.header("receipt-id"), "r9", "the ERROR names the receipt it answers")
    }

    func testABodyOnAFrameThatMayNotHaveOneIsAnError() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1"], body: "x"), now: 0)),
                       "SUBSCRIBE frames must not have a body")
    }

    func testSubscribeParsesActiveMQHeaders() {
        var m = connected(clientID: "app")
        let actions = m.receive(frame(.subscribe, ["destination": "/topic/t", "id": "7", "ack": "client-individual",
                                                   "selector": "x > 1", "activemq.prefetchSize": "5", "activemq.subscriptionName": "d",
                                                   "activemq.exclusive": "true", "activemq.noLocal": "true"]), now: 0)
        XCTAssertEqual(actions, [.subscribe(STOMPSubscription(id: "7", destination: "/topic/t", ackMode: .clientIndividual, selector: "x > 1",
                                                              prefetch: 5, durableName: "d", exclusive: true, noLocal: true), receipt: nil)])
    }

    func testSubscribeRules() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.subscribe, ["destination": "/queue/a"]), now: 0)), "SUBSCRIBE frame has no id header")
        m = connected()
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1"]), now: 0)
        XCTAssertEqual(errorMessage(m.receive(frame(.subscribe, ["destination": "/queue/b", "id": "1"]), now: 0)),
                       "Subscription id 1 is already in use")
        m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "ack": "sometimes"]), now: 0)),
                       "Unknown ack mode sometimes")
        m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.subscribe, ["destination": "/topic/a", "id": "1", "activemq.subscriptionName": "d"]), now: 0)),
                       "A durable subscription needs a client-id on CONNECT")
        m = connected()
        XCTAssertNotNil(errorMessage(m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "activemq.prefetchSize": "-1"]), now: 0)))
    }

    func testOnePointZeroSubscriptionIdDefaultsToTheDestination() {
        var m = connected("1.0")
        XCTAssertEqual(m.receive(frame(.subscribe, ["destination": "/queue/a"]), now: 0),
                       [.subscribe(STOMPSubscription(id: "/queue/a", destination: "/queue/a"), receipt: nil)])
        XCTAssertEqual(m.receive(frame(.unsubscribe, ["destination": "/queue/a"]), now: 0).count, 1)
    }

    func testUnsubscribeUnknownIdIsAnErrorAndDurableRemovalWorksWithoutASubscription() {
        var m = connected(clientID: "app")
        XCTAssertEqual(errorMessage(m.receive(frame(.unsubscribe, ["id": "9"]), now: 0)), "No subscription with id 9")
        m = connected(clientID: "app")
        XCTAssertEqual(m.receive(frame(.unsubscribe, ["activemq.subscriptionName": "d", "receipt": "r"]), now: 0),
                       [.removeDurable(name: "d", receipt: "r")])
    }

    // MARK: - Acks

    private func deliver(_ m: inout STOMPConnectionStateMachine, sub: String, id: String, tag: UInt64) -> STOMPFrame? {
        guard case .send(let f)? = m.deliver(frame(.message, ["destination": "/queue/a"]), subscriptionID: sub, messageID: id, tag: tag).first else {
            return nil
        }
        return f
    }

    func testOnePointTwoAcksByTheAckHeader() {
        var m = connected()
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "ack": "client-individual"]), now: 0)
        let f1 = deliver(&m, sub: "1", id: "ID:1", tag: 11)!
        let f2 = deliver(&m, sub: "1", id: "ID:2", tag: 12)!
        XCTAssertEqual(f1.header("subscription"), "1")
        XCTAssertEqual(f1.header("message-id"), "ID:1")
        XCTAssertNotEqual(f1.header("ack"), f2.header("ack"))
        XCTAssertEqual(m.receive(frame(.ack, ["id": f2.header("ack")!]), now: 0),
                       [.ack(STOMPAckTarget(subscriptionID: "1", tags: [12]), transaction: nil, receipt: nil)])
        XCTAssertEqual(m.unacknowledgedCount, 1)
        XCTAssertEqual(m.receive(frame(.nack, ["id": f1.header("ack")!]), now: 0),
                       [.nack(STOMPAckTarget(subscriptionID: "1", tags: [11]), transaction: nil, receipt: nil)])
    }

    func testClientAckIsCumulative() {
        var m = connected()
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "ack": "client"]), now: 0)
        _ = deliver(&m, sub: "1", id: "ID:1", tag: 1)
        _ = deliver(&m, sub: "1", id: "ID:2", tag: 2)
        let f3 = deliver(&m, sub: "1", id: "ID:3", tag: 3)!
        _ = deliver(&m, sub: "1", id: "ID:4", tag: 4)
        XCTAssertEqual(m.receive(frame(.ack, ["id": f3.header("ack")!]), now: 0),
                       [.ack(STOMPAckTarget(subscriptionID: "1", tags: [1, 2, 3]), transaction: nil, receipt: nil)])
        XCTAssertEqual(m.unacknowledgedCount, 1)
    }

    func testOnePointOneAcksByMessageIdAndSubscription() {
        var m = connected("1.1")
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "ack": "client-individual"]), now: 0)
        let f = deliver(&m, sub: "1", id: "ID:7", tag: 70)!
        XCTAssertNil(f.header("ack"), "1.1 has no ack header")
        XCTAssertEqual(m.receive(frame(.ack, ["message-id": "ID:7", "subscription": "1"]), now: 0),
                       [.ack(STOMPAckTarget(subscriptionID: "1", tags: [70]), transaction: nil, receipt: nil)])
    }

    func testTheOnePointOneAndOnePointTwoAckHeadersAreNotConfused() {
        var m = connected("1.2")
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1", "ack": "client"]), now: 0)
        _ = deliver(&m, sub: "1", id: "ID:7", tag: 70)
        XCTAssertEqual(errorMessage(m.receive(frame(.ack, ["message-id": "ID:7", "subscription": "1"]), now: 0)), "ACK frame has no id header")
    }

    func testAckOfAnUnknownIdIsAnError() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.ack, ["id": "99"]), now: 0)), "ACK of a message that is not waiting for one")
    }

    func testAutoAckDeliveriesHaveNothingToAck() {
        var m = connected()
        _ = m.receive(frame(.subscribe, ["destination": "/queue/a", "id": "1"]), now: 0)
        let f = deliver(&m, sub: "1", id: "ID:1", tag: 1)!
        XCTAssertNil(f.header("ack"))
        XCTAssertEqual(m.unacknowledgedCount, 0)
    }

    func testDeliveriesForAnUnknownSubscriptionAreDropped() {
        var m = connected()
        XCTAssertTrue(m.deliver(frame(.message), subscriptionID: "nope", messageID: "x", tag: 1).isEmpty)
    }

    // MARK: - Transactions

    func testTransactionLifecycle() {
        var m = connected()
        XCTAssertEqual(m.receive(frame(.begin, ["transaction": "t1"]), now: 0), [.begin("t1", receipt: nil)])
        XCTAssertEqual(errorMessage(m.receive(frame(.begin, ["transaction": "t1"]), now: 0)), "Transaction t1 is already open")
        m = connected()
        _ = m.receive(frame(.begin, ["transaction": "t1"]), now: 0)
        XCTAssertEqual(m.receive(frame(.send, ["destination": "/queue/a", "transaction": "t1"]), now: 0).count, 1)
        XCTAssertEqual(m.receive(frame(.commit, ["transaction": "t1", "receipt": "c"]), now: 0), [.commit("t1", receipt: "c")])
        XCTAssertEqual(errorMessage(m.receive(frame(.abort, ["transaction": "t1"]), now: 0)), "Unknown transaction t1")
        m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.send, ["destination": "/queue/a", "transaction": "nope"]), now: 0)), "Unknown transaction nope")
        m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.commit), now: 0)), "COMMIT frame has no transaction header")
    }

    // MARK: - Receipts, disconnect, errors from the core

    func testCompletedSendsTheReceiptAndFailedAnError() {
        var m = connected()
        XCTAssertEqual(m.completed(receipt: "r1"), [.send(frame(.receipt, ["receipt-id": "r1"]))])
        XCTAssertEqual(m.completed(receipt: nil), [])
        let failed = m.failed("queue q is full", receipt: "r2")
        guard case .send(let e)? = failed.first else { return XCTFail() }
        XCTAssertEqual(e.header("message"), "queue q is full")
        XCTAssertEqual(e.header("receipt-id"), "r2")
        XCTAssertEqual(failed.last, .close)
    }

    func testDisconnectReceiptThenClose() {
        var m = connected()
        XCTAssertEqual(m.receive(frame(.disconnect, ["receipt": "bye"]), now: 0), [.disconnect(receipt: "bye")])
        XCTAssertFalse(m.acceptsInput)
        XCTAssertEqual(m.completed(receipt: "bye"), [.send(frame(.receipt, ["receipt-id": "bye"])), .close])
    }

    func testServerFramesFromTheClientAreErrors() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.receive(frame(.message), now: 0)), "MESSAGE is a server frame")
    }

    func testDecodeFailureBecomesAnErrorFrameWithTheDecoderText() {
        var m = connected()
        XCTAssertEqual(errorMessage(m.decodeFailed(.unknownCommand("FOO"))), STOMPDecodeError.unknownCommand("FOO").description)
    }

    // MARK: - Heart-beats

    func testHeartbeatsGoOutWhenIdleAndASilentPeerIsClosedAfterTheGrace() {
        var m = STOMPConnectionStateMachine(configuration: .init(heartbeat: STOMPHeartbeat(outgoing: 1000, incoming: 1000), heartbeatGrace: 1.5), now: 0)
        _ = m.receive(frame(.connect, ["accept-version": "1.2", "heart-beat": "1000,1000"]), now: 0)
        _ = m.connectAdmitted(sessionID: "s", now: 0)
        XCTAssertEqual(m.tick(now: 500), [])
        XCTAssertEqual(m.tick(now: 1000), [.heartbeat])
        m.bytesReceived(now: 1200)
        XCTAssertEqual(m.tick(now: 2600), [.heartbeat], "1.4 s of silence is inside the grace")
        XCTAssertEqual(m.tick(now: 2800), [.close], "1.6 s is past 1.5 × 1 s")
    }

    func testNoHeartbeatsWhenEitherSideSaysZero() {
        var m = connected("1.2", heartbeat: "0,0")
        XCTAssertEqual(m.sendInterval, 0)
        XCTAssertEqual(m.receiveInterval, 0)
        XCTAssertEqual(m.tick(now: 1_000_000), [])
    }

    func testAConnectionWithoutCONNECTIsClosedAtTheConnectTimeoutEvenIfBytesTrickleIn() {
        var m = STOMPConnectionStateMachine(configuration: .init(connectTimeoutMillis: 2_000), now: 0)
        m.bytesReceived(now: 1_500)
        XCTAssertEqual(m.tick(now: 1_900), [])
        m.bytesReceived(now: 1_950)
        XCTAssertEqual(m.tick(now: 2_100), [.close], "partial bytes do not extend the deadline")
        var connected = connected()
        XCTAssertEqual(connected.tick(now: 1_000_000), [], "no connect timeout once connected")
    }
}
