import NIOCore
import XCTest

@testable import PierOpenWire

final class OpenWireConnectionStateMachineTests: XCTestCase, OpenWireStateMachineTesting {
    // MARK: - WireFormatInfo

    func testStartSendsALooseUncachedWireFormatInfoAtOnce() throws {
        let m = OpenWireConnectionStateMachine(configuration: .init(maxFrameSize: 4096), now: 0)
        guard case .send(.wireFormatInfo(let info))? = m.start().first else { return XCTFail("no WireFormatInfo") }
        XCTAssertEqual(info.version, 12)
        let p = try XCTUnwrap(try info.properties())
        XCTAssertEqual(p.bool("TightEncodingEnabled"), false)
        XCTAssertEqual(p.bool("CacheEnabled"), false)
        XCTAssertEqual(p.bool("SizePrefixDisabled"), false)
        XCTAssertEqual(p.bool("StackTraceEnabled"), false)
        XCTAssertEqual(p.integer("MaxInactivityDuration"), 30_000)
        XCTAssertEqual(p.integer("MaxFrameSize"), 4096)
        XCTAssertNotNil(p.string("ProviderName"))
    }

    func testNegotiationANDsTheBooleansAndThenSendsBrokerInfo() throws {
        var m = OpenWireConnectionStateMachine(configuration: .init(maxFrameSize: 4096), now: 0)
        let actions = m.receive(try clientWireFormat(tight: true), now: 0)
        XCTAssertEqual(actions.count, 2)
        guard case .negotiated(let options) = actions[0], case .send(.brokerInfo(let broker)) = actions[1] else { return XCTFail("\(actions)") }
        XCTAssertFalse(options.cacheEnabled)
        XCTAssertFalse(options.stackTraceEnabled)
        XCTAssertEqual(options.maxFrameSize, 4096)
        XCTAssertNotNil(broker.brokerId)
    }

    func testAnOlderWireFormatVersionIsRefusedWithAClearErrorAndClosed() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        let actions = m.receive(try clientWireFormat(version: 9), now: 0)
        XCTAssertEqual(actions.last, .close)
        XCTAssertTrue(exception(actions)?.message?.contains("version 9 is not supported") == true)
    }

    func testAnythingBeforeWireFormatInfoIsRefused() {
        var m = OpenWireConnectionStateMachine(now: 0)
        let actions = m.receive(.connectionInfo(OpenWireConnectionInfo(commandId: 1, responseRequired: true, connectionId: conn)), now: 0)
        XCTAssertEqual(actions.last, .close)
        XCTAssertEqual(exception(actions)?.className, "java.io.IOException")
    }

    // MARK: - Order of commands

    func testSessionInfoBeforeConnectionInfoIsAnExceptionAndClose() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(), now: 0)
        let actions = m.receive(.sessionInfo(OpenWireSessionInfo(commandId: 1, responseRequired: true, sessionId: session)), now: 0)
        XCTAssertEqual(actions.last, .close)
        let e = exception(actions)
        XCTAssertEqual(e?.className, "java.lang.IllegalStateException")
        guard case .send(.response(let r)) = actions[0] else { return XCTFail("\(actions)") }
        XCTAssertEqual(r.correlationId, 1)
    }

    func testTheFailoverTransportsConnectionControlBeforeConnectionInfoIsAccepted() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(), now: 0)
        XCTAssertEqual(m.receive(.connectionControl(OpenWireConnectionControl(faultTolerant: true)), now: 0), [])
        XCTAssertEqual(m.receive(.connectionControl(OpenWireConnectionControl(commandId: 1, responseRequired: true, faultTolerant: true)), now: 0),
                       [response(1)])
        let info = OpenWireConnectionInfo(commandId: 2, responseRequired: true, connectionId: conn)
        XCTAssertEqual(m.receive(.connectionInfo(info), now: 0), [.admit(info, OpenWireRequest(commandId: 2, responseRequired: true))])
    }

    func testAManageableClientGetsActiveMQsConnectionControlBeforeTheResponse() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(), now: 0)
        let info = OpenWireConnectionInfo(commandId: 1, responseRequired: true, connectionId: conn, manageable: true)
        _ = m.receive(.connectionInfo(info), now: 0)
        let actions = m.connectAdmitted(OpenWireRequest(commandId: 1, responseRequired: true))
        // What ActiveMQ 5.17 sent the same client, byte for byte.
        let captured = try OpenWireCodecTestSupport.fixture("basic-c0-b2c-0002-t18-ConnectionControl")
        XCTAssertEqual(actions, [.send(captured), response(1)])
    }

    func testARefusedConnectionGetsTheSecurityExceptionAndCloses() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(), now: 0)
        _ = m.receive(.connectionInfo(OpenWireConnectionInfo(commandId: 1, responseRequired: true, connectionId: conn)), now: 0)
        XCTAssertFalse(m.acceptsInput)
        let actions = m.connectRefused(OpenWireRequest(commandId: 1, responseRequired: true), OpenWireErrorClass.security, "User name [x] or password is invalid.")
        XCTAssertEqual(exception(actions)?.className, "java.lang.SecurityException")
        XCTAssertEqual(actions.last, .close)
    }

    func testAConsumerNeedsARegisteredSessionExceptTheAdvisorySessionMinusOne() throws {
        var m = try connected()
        let stranger = OpenWireConsumerInfo(commandId: 5, responseRequired: true,
                                            consumerId: OpenWireConsumerId(connectionId: conn.value, sessionId: 7, value: 1),
                                            destination: .queue("q"))
        XCTAssertEqual(exception(m.receive(.consumerInfo(stranger), now: 0))?.className, "java.lang.IllegalStateException")
        let advisory = OpenWireConsumerInfo(commandId: 6, responseRequired: true,
                                            consumerId: OpenWireConsumerId(connectionId: conn.value, sessionId: -1, value: 1),
                                            destination: .topic("ActiveMQ.Advisory.TempQueue,ActiveMQ.Advisory.TempTopic"))
        XCTAssertEqual(m.receive(.consumerInfo(advisory), now: 0), [.addConsumer(advisory, OpenWireRequest(commandId: 6, responseRequired: true))])
    }

    func testCommandsWithoutResponseRequiredGetNoResponse() throws {
        var m = try connected()
        let producer = OpenWireProducerInfo(commandId: 4, responseRequired: true, producerId: producerId, destination: .queue("q"))
        XCTAssertEqual(m.receive(.producerInfo(producer), now: 0), [response(4)])
        XCTAssertEqual(m.receive(.keepAliveInfo(OpenWireCommandHeader(commandId: 5)), now: 0), [])
        XCTAssertEqual(m.receive(.removeInfo(OpenWireRemoveInfo(commandId: 6, objectId: .producerId(producerId))), now: 0),
                       [.removeProducer(producerId)])
    }

    func testRemovingASessionRemovesItsConsumers() throws {
        var m = try consuming()
        let actions = m.receive(.removeInfo(OpenWireRemoveInfo(commandId: 9, objectId: .sessionId(session))), now: 0)
        XCTAssertEqual(actions, [.removeConsumer(consumerId, notDelivered: [])])
        XCTAssertTrue(m.consumers.isEmpty)
    }

    func testRemovingTheConnectionThenShutdownCloses() throws {
        var m = try connected()
        let req = OpenWireRequest(commandId: 9, responseRequired: true)
        XCTAssertEqual(m.receive(.removeInfo(OpenWireRemoveInfo(commandId: 9, responseRequired: true, objectId: .connectionId(conn))), now: 0),
                       [.removeConnection(req)])
        XCTAssertEqual(m.completed(req), [response(9)])
        XCTAssertEqual(m.receive(.shutdownInfo(OpenWireCommandHeader(commandId: 10)), now: 0), [.close])
    }

    func testConsumerControlRestoresThePrefetchOfAConsumerReplayedInPullMode() throws {
        var m = try consuming(prefetch: 0)
        dispatch(&m, seq: 1, tag: 1)
        let control = OpenWireConsumerControl(commandId: 40, consumerId: consumerId, prefetch: 1000)
        XCTAssertEqual(m.receive(.consumerControl(control), now: 0), [.setCredit(consumerId, 999)], "one is still in flight")
        XCTAssertEqual(m.consumers[consumerId]?.prefetchSize, 1000)
        let unknown = OpenWireConsumerControl(commandId: 41, responseRequired: true,
                                              consumerId: OpenWireConsumerId(connectionId: conn.value, sessionId: 1, value: 9), prefetch: 5)
        XCTAssertEqual(m.receive(.consumerControl(unknown), now: 0), [response(41)])
    }

    // MARK: - Messages and acknowledgements

    func testASendIsHandedToTheCoreAndAnsweredOnlyWhenCompleted() throws {
        var m = try connected()
        let message = OpenWireMessage(kind: .text, commandId: 7, responseRequired: true, destination: .queue("q"), persistent: true)
        let req = OpenWireRequest(commandId: 7, responseRequired: true)
        XCTAssertEqual(m.receive(.message(message), now: 0), [.produce(message, req)])
        XCTAssertEqual(m.completed(req), [response(7)])
    }

    func testAFailedSendWithoutResponseIsAConnectionError() throws {
        var m = try connected()
        let actions = m.failed(OpenWireRequest(commandId: 7, responseRequired: false), OpenWireErrorClass.security, "no")
        guard case .send(.connectionError(let e))? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertEqual(e.exception?.className, "java.lang.SecurityException")
    }

    func testAStandardAckIsCumulativeAndReturnsCredit() throws {
        var m = try consuming()
        for i in 1...3 { dispatch(&m, seq: Int64(i), tag: UInt64(100 + i)) }
        let actions = m.receive(ack(.standard, first: 1, last: 2, count: 2), now: 0)
        XCTAssertEqual(actions, [.settle(OpenWireSettlement(consumerId: consumerId, tags: [101, 102], outcome: .consumed, transactionId: nil)),
                                 .credit(consumerId, 2)])
        XCTAssertEqual(m.unsettled(consumerId), 1)
    }

    func testAnIndividualAckSettlesOnlyItsMessage() throws {
        var m = try consuming()
        for i in 1...3 { dispatch(&m, seq: Int64(i), tag: UInt64(100 + i)) }
        XCTAssertEqual(m.receive(ack(.individual, last: 2), now: 0),
                       [.settle(OpenWireSettlement(consumerId: consumerId, tags: [102], outcome: .consumed, transactionId: nil)),
                        .credit(consumerId, 1)])
        XCTAssertEqual(m.unsettled(consumerId), 2)
    }

    func testADeliveredAckOnlyExtendsThePrefetchOnce() throws {
        var m = try consuming()
        for i in 1...2 { dispatch(&m, seq: Int64(i), tag: UInt64(100 + i)) }
        XCTAssertEqual(m.receive(ack(.delivered, last: 2, count: 2), now: 0), [.credit(consumerId, 2)])
        XCTAssertEqual(m.receive(ack(.standard, last: 2, count: 2), now: 0),
                       [.settle(OpenWireSettlement(consumerId: consumerId, tags: [101, 102], outcome: .consumed, transactionId: nil))])
    }

    func testAPoisonAckDeadLettersWithTheClientsCause() throws {
        var m = try consuming()
        dispatch(&m, seq: 1, tag: 7)
        let cause = OpenWireThrowable(className: "java.lang.Throwable", message: "Delivery[3] exceeds redelivery policy limit")
        XCTAssertEqual(m.receive(ack(.poison, first: 1, last: 1, cause: cause), now: 0).first,
                       .settle(OpenWireSettlement(consumerId: consumerId, tags: [7],
                                                  outcome: .poison(cause: "java.lang.Throwable: Delivery[3] exceeds redelivery policy limit"),
                                                  transactionId: nil)))
    }

    func testAcksOfARolledBackTransactionCanBeRepeatedInTheNextOne() throws {
        var m = try consuming()
        dispatch(&m, seq: 1, tag: 7)
        XCTAssertEqual(m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 10, connectionId: conn, transactionId: tx, type: .begin)), now: 0),
                       [.beginTransaction(tx)])
        XCTAssertEqual(m.receive(ack(.standard, last: 1, tx: tx), now: 0).first,
                       .settle(OpenWireSettlement(consumerId: consumerId, tags: [7], outcome: .consumed, transactionId: tx)))
        let rollback = OpenWireRequest(commandId: 11, responseRequired: true)
        XCTAssertEqual(m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 11, responseRequired: true, connectionId: conn,
                                                                          transactionId: tx, type: .rollback)), now: 0),
                       [.rollbackTransaction(tx, rollback)])
        XCTAssertEqual(m.unsettled(consumerId), 1)
        _ = m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 12, connectionId: conn, transactionId: tx, type: .begin)), now: 0)
        // Credit was given back by the first ack: the second does not give it again.
        XCTAssertEqual(m.receive(ack(.standard, last: 1, tx: tx), now: 0),
                       [.settle(OpenWireSettlement(consumerId: consumerId, tags: [7], outcome: .consumed, transactionId: tx))])
    }

    func testAMessageInAnUnknownTransactionIsRefused() throws {
        var m = try connected()
        let message = OpenWireMessage(kind: .text, commandId: 7, responseRequired: true, destination: .queue("q"), transactionId: tx)
        XCTAssertEqual(exception(m.receive(.message(message), now: 0))?.className, "javax.jms.JMSException")
    }

    func testXATransactionsAreRefusedWithAnXAException() throws {
        var m = try connected()
        let xa = OpenWireTransactionId.xa(formatId: 1, globalTransactionId: [1], branchQualifier: [2])
        let actions = m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 8, responseRequired: true, connectionId: conn,
                                                                         transactionId: xa, type: .begin)), now: 0)
        let e = exception(actions)
        XCTAssertEqual(e?.className, "javax.transaction.xa.XAException")
        XCTAssertTrue(e?.message?.contains("not supported") == true)
    }

    func testAckForAnUnknownMessageIsIgnored() throws {
        var m = try consuming()
        dispatch(&m, seq: 1, tag: 7)
        XCTAssertEqual(m.receive(ack(.standard, last: 99), now: 0), [])
        XCTAssertEqual(m.unsettled(consumerId), 1)
    }

    // MARK: - Time

    func testKeepAlivesGoOutWhenIdleAndASilentPeerIsDropped() throws {
        var m = OpenWireConnectionStateMachine(now: 0)
        _ = m.receive(try clientWireFormat(inactivity: 1000), now: 0)
        _ = m.receive(.connectionInfo(OpenWireConnectionInfo(commandId: 1, responseRequired: true, connectionId: conn)), now: 0)
        _ = m.connectAdmitted(OpenWireRequest(commandId: 1, responseRequired: true))
        XCTAssertEqual(m.inactivityTimeout, 1000)
        // Nothing is checked before the initial delay (10 s here), even after long silence.
        XCTAssertEqual(m.tick(now: 9_000), [])
        m.bytesReceived(now: 9_900)
        m.bytesSent(now: 9_900)
        XCTAssertEqual(m.tick(now: 10_000), [])
        XCTAssertEqual(m.tick(now: 10_400), [.send(.keepAliveInfo(OpenWireCommandHeader()))])
        XCTAssertEqual(m.tick(now: 10_500), [])
        XCTAssertEqual(m.tick(now: 12_000).last, .close)
    }

    func testAConnectionWithoutConnectionInfoIsClosedAfterTheConnectTimeout() {
        var m = OpenWireConnectionStateMachine(configuration: .init(connectTimeoutMillis: 500), now: 0)
        XCTAssertEqual(m.tick(now: 400), [])
        XCTAssertEqual(m.tick(now: 600), [.close])
    }

    func testPullsAreForwardedForConsumersButNeverAnsweredForABrowser() throws {
        var m = try consuming(prefetch: 0)
        let pull = OpenWireMessagePull(commandId: 4, consumerId: consumerId, destination: .queue("q"), timeout: -1)
        XCTAssertEqual(m.receive(.messagePull(pull), now: 0), [.pull(pull)])
        let browserId = OpenWireConsumerId(connectionId: conn.value, sessionId: 1, value: 2)
        let browser = OpenWireConsumerInfo(commandId: 5, responseRequired: true, consumerId: browserId, browser: true,
                                           destination: .queue("q"), prefetchSize: 500)
        XCTAssertEqual(m.receive(.consumerInfo(browser), now: 0), [.addConsumer(browser, OpenWireRequest(commandId: 5, responseRequired: true))])
        _ = m.completed(OpenWireRequest(commandId: 5, responseRequired: true))
        let browserPull = OpenWireMessagePull(commandId: 6, consumerId: browserId, destination: .queue("q"), timeout: -1)
        XCTAssertEqual(m.receive(.messagePull(browserPull), now: 0), [])
    }
}
