import NIOCore
@testable import PierAMQP
import XCTest

/// The coordinator's message bodies and the two transaction delivery states, on the wire and back.
final class AMQPTransactionControlTests: XCTestCase {
    private func roundTrip(_ value: AMQPValue) throws -> AMQPValue {
        var buffer = ByteBuffer()
        buffer.writeAMQPValue(value)
        return try AMQPValueDecoder.decode(&buffer)
    }

    func testDeclareAndDischargeRoundTrip() throws {
        for control: AMQPTransactionControl in [.declare, .discharge(txnID: ByteBuffer(bytes: [0, 1]), fail: true)] {
            XCTAssertEqual(try AMQPTransactionControl(decoding: roundTrip(control.amqpValue)), control)
        }
        let symbolic = AMQPValue.described(descriptor: .symbol("amqp:discharge:list"), value: .list([.binary([7])]))
        XCTAssertEqual(try AMQPTransactionControl(decoding: symbolic), .discharge(txnID: ByteBuffer(bytes: [7]), fail: false))
    }

    func testDistributedDeclaresAndDischargesWithoutAnIDAreRefused() {
        let global = AMQPValue.described(descriptor: .ulong(0x31), value: .list([.binary([1])]))
        XCTAssertThrowsError(try AMQPTransactionControl(decoding: global))
        let noID = AMQPValue.described(descriptor: .ulong(0x32), value: .list([]))
        XCTAssertThrowsError(try AMQPTransactionControl(decoding: noID))
        XCTAssertThrowsError(try AMQPTransactionControl(decoding: .string("declare")))
    }

    func testDeclaredAndTransactionalStatesRoundTrip() throws {
        let id = ByteBuffer(bytes: [0, 0, 0, 1])
        let states: [AMQPDeliveryState] = [.declared(txnID: id), .transactional(txnID: id, outcome: .accepted),
                                           .transactional(txnID: id, outcome: nil)]
        for state in states {
            XCTAssertEqual(try AMQPDeliveryState(decoding: roundTrip(state.amqpValue)), state)
        }
        XCTAssertTrue(AMQPDeliveryState.transactional(txnID: id, outcome: .accepted).isTerminal)
        XCTAssertFalse(AMQPDeliveryState.transactional(txnID: id, outcome: nil).isTerminal)
    }

    func testACoordinatorTargetSurvivesAttachEncoding() throws {
        var attach = AMQPAttach(name: "txn", handle: 0, role: .sender)
        attach.coordinator = .described(descriptor: .ulong(0x30), value: .list([.array([.symbol("amqp:local-transactions")])]))
        let decoded = try AMQPAttach(decoding: roundTrip(attach.amqpValue))
        XCTAssertEqual(decoded.coordinator, attach.coordinator)
        XCTAssertNil(decoded.target)
    }
}
