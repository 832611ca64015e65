import XCTest

@testable import PierOpenWire

/// RemoveInfo and its `lastDeliveredSequenceId`: which unsettled messages return without counting as redelivered.
final class OpenWireConnectionStateMachineRemovalTests: XCTestCase, OpenWireStateMachineTesting {

    private func remove(_ m: inout OpenWireConnectionStateMachine, _ object: OpenWireDataStructure, lastDelivered: Int64) -> [OpenWireAction] {
        m.receive(.removeInfo(OpenWireRemoveInfo(commandId: 30, objectId: object, lastDeliveredSequenceId: lastDelivered)), now: 0)
    }

    func testQueueDispatchesGetRisingBrokerSequenceIdsAndTopicDispatchesKeepTheirs() throws {
        var m = try consuming()
        let sequences = (1...3).map { dispatch(&m, seq: $0, tag: UInt64(100 + $0)) }
        XCTAssertEqual(sequences, sequences.sorted())
        XCTAssertEqual(Set(sequences).count, 3)
        XCTAssertTrue(sequences.allSatisfy { $0 > 0 }, "0 and -1 mean nothing delivered to the client")
        let topic = OpenWireMessageDispatch(consumerId: consumerId, destination: .queue("q"),
                                            message: OpenWireMessage(kind: .text, destination: .queue("q"), messageId: messageId(9)))
        XCTAssertEqual(m.deliver(topic, tag: nil), [.send(.messageDispatch(topic))])
    }

    func testClosingAConsumerReturnsWhatItOnlyPrefetchedAsNotDelivered() throws {
        var m = try consuming()
        let sequences = (1...5).map { dispatch(&m, seq: $0, tag: UInt64(100 + $0)) }
        XCTAssertEqual(remove(&m, .consumerId(consumerId), lastDelivered: sequences[2]), [.removeConsumer(consumerId, notDelivered: [104, 105])])
        XCTAssertEqual(m.unsettled(consumerId), 0)
    }

    func testNothingDeliveredMakesEveryUnsettledMessageNotDeliveredAndUnknownMakesNone() throws {
        var none = try consuming()
        for i in 1...3 { dispatch(&none, seq: Int64(i), tag: UInt64(i)) }
        XCTAssertEqual(remove(&none, .consumerId(consumerId), lastDelivered: OpenWireRemoveInfo.lastDeliveredUnset),
                       [.removeConsumer(consumerId, notDelivered: [1, 2, 3])])
        var unknown = try consuming()
        for i in 1...3 { dispatch(&unknown, seq: Int64(i), tag: UInt64(i)) }
        XCTAssertEqual(remove(&unknown, .consumerId(consumerId), lastDelivered: OpenWireRemoveInfo.lastDeliveredUnknown),
                       [.removeConsumer(consumerId, notDelivered: [])])
    }

    func testAckedMessagesAreNotReturnedAndARolledBackAckKeepsItsSequence() throws {
        var m = try consuming()
        let s1 = dispatch(&m, seq: 1, tag: 1)
        dispatch(&m, seq: 2, tag: 2)
        _ = m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 10, connectionId: conn, transactionId: tx, type: .begin)), now: 0)
        _ = m.receive(ack(.standard, last: 1, tx: tx), now: 0)
        _ = m.receive(.transactionInfo(OpenWireTransactionInfo(commandId: 11, connectionId: conn, transactionId: tx, type: .rollback)), now: 0)
        XCTAssertEqual(remove(&m, .consumerId(consumerId), lastDelivered: s1), [.removeConsumer(consumerId, notDelivered: [2])])
    }

    func testASessionsRemoveInfoAppliesItsHighestSequenceToEachConsumer() throws {
        var m = try consuming()
        let other = OpenWireConsumerId(connectionId: conn.value, sessionId: 1, value: 2)
        let info = OpenWireConsumerInfo(commandId: 4, consumerId: other, destination: .queue("q"), prefetchSize: 10)
        _ = m.receive(.consumerInfo(info), now: 0)
        dispatch(&m, seq: 1, tag: 1)
        dispatch(&m, seq: 2, tag: 2, to: other)
        dispatch(&m, seq: 3, tag: 3)
        let delivered = dispatch(&m, seq: 4, tag: 4, to: other)
        dispatch(&m, seq: 5, tag: 5, to: other)
        // The session reports the highest of its consumers; what the first one held below it may have
        // reached the application, so it counts as redelivered.
        XCTAssertEqual(remove(&m, .sessionId(session), lastDelivered: delivered),
                       [.removeConsumer(consumerId, notDelivered: []), .removeConsumer(other, notDelivered: [5])])
        XCTAssertTrue(m.consumers.isEmpty)
    }

    func testTheConnectionsRemoveInfoClosesEveryConsumerBeforeReleasingTheRest() throws {
        var m = try consuming()
        let first = dispatch(&m, seq: 1, tag: 1)
        dispatch(&m, seq: 2, tag: 2)
        let req = OpenWireRequest(commandId: 30, responseRequired: false)
        XCTAssertEqual(remove(&m, .connectionId(conn), lastDelivered: first),
                       [.removeConsumer(consumerId, notDelivered: [2]), .removeConnection(req)])
        XCTAssertTrue(m.consumers.isEmpty)
    }

    func testADecodeErrorIsAConnectionErrorAndClose() throws {
        var m = try connected()
        let actions = m.decodeFailed(OpenWireDecodeError(.emptyFrame, field: "Frame.size", offset: 0))
        XCTAssertEqual(actions.last, .close)
        XCTAssertEqual(exception(actions)?.className, "java.io.IOException")
    }
}
