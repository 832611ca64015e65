import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPReceiverLinkTests: XCTestCase {
    private func attached(window: UInt32 = 4, maxMessageSize: Int = 1 << 20) -> AMQPReceiverLink {
        var link = AMQPReceiverLink(name: "r", handle: 0, address: "/queue/in", creditWindow: window, maxMessageSize: maxMessageSize)
        var remote = AMQPAttach(name: "r", handle: 5, role: .sender, initialDeliveryCount: 100)
        remote.source = AMQPSource(address: "/queue/in")
        XCTAssertTrue(link.remoteAttached(remote))
        link.grantCredit()
        return link
    }

    private func transfer(_ id: UInt32?, more: Bool = false, settled: Bool? = nil, aborted: Bool = false) -> AMQPTransfer {
        var t = AMQPTransfer(handle: 5, deliveryID: id, deliveryTag: id.map { ByteBuffer(integer: $0) }, settled: settled, more: more)
        t.aborted = aborted
        return t
    }

    func testAttachFrameAndInitialCount() {
        let fresh = AMQPReceiverLink(name: "r", handle: 2, address: "/queue/in", creditWindow: 10)
        XCTAssertEqual(fresh.attachFrame.role, .receiver)
        XCTAssertEqual(fresh.attachFrame.source?.address, "/queue/in")
        XCTAssertNil(fresh.attachFrame.initialDeliveryCount)
        let link = attached()
        XCTAssertEqual(link.deliveryCount, 100)
        XCTAssertEqual(link.linkCredit, 4)
        var flow = AMQPFlow(nextIncomingID: 0, incomingWindow: 0, nextOutgoingID: 0, outgoingWindow: 0)
        link.flowFields(into: &flow)
        XCTAssertEqual(flow.deliveryCount, 100)
        XCTAssertEqual(flow.linkCredit, 4)
        var refused = AMQPReceiverLink(name: "r", handle: 0, address: "x", creditWindow: 1)
        XCTAssertFalse(refused.remoteAttached(AMQPAttach(name: "r", handle: 5, role: .sender)))
    }

    func testSingleFrameDeliveriesUseCreditAndAskForMore() throws {
        var link = attached()
        let first = try link.transfer(transfer(1), payload: ByteBuffer(string: "a"))
        XCTAssertEqual(first?.payload, ByteBuffer(string: "a"))
        XCTAssertEqual(first?.deliveryID, 1)
        XCTAssertEqual(first?.settled, false)
        XCTAssertFalse(link.needsCredit)
        _ = try link.transfer(transfer(2, settled: true), payload: ByteBuffer(string: "b"))
        XCTAssertTrue(link.needsCredit, "half the window used")
        XCTAssertEqual(link.deliveryCount, 102)
        link.grantCredit()
        XCTAssertEqual(link.linkCredit, 4)
    }

    func testMultiFrameDeliveryIsReassembled() throws {
        var link = attached()
        XCTAssertNil(try link.transfer(transfer(7, more: true), payload: ByteBuffer(string: "he")))
        // Continuations may omit the delivery id.
        XCTAssertNil(try link.transfer(transfer(nil, more: true), payload: ByteBuffer(string: "ll")))
        XCTAssertNil(try link.transfer(transfer(nil, more: true), payload: nil))
        let done = try link.transfer(transfer(nil, settled: true), payload: ByteBuffer(string: "o"))
        XCTAssertEqual(done?.payload, ByteBuffer(string: "hello"))
        XCTAssertEqual(done?.deliveryID, 7)
        XCTAssertEqual(done?.settled, true)
        XCTAssertEqual(link.linkCredit, 3, "one delivery, one credit")
    }

    func testAbortedDeliveryIsDropped() throws {
        var link = attached()
        XCTAssertNil(try link.transfer(transfer(1, more: true), payload: ByteBuffer(string: "x")))
        XCTAssertNil(try link.transfer(transfer(nil, aborted: true), payload: nil))
        XCTAssertEqual(try link.transfer(transfer(2), payload: ByteBuffer(string: "y"))?.payload, ByteBuffer(string: "y"))
    }

    func testViolationsAreErrors() {
        var link = attached(window: 1, maxMessageSize: 4)
        XCTAssertThrowsError(try link.transfer(transfer(nil), payload: nil)) {
            XCTAssertEqual(($0 as? AMQPError)?.condition, AMQPError.invalidField)
        }
        XCTAssertThrowsError(try link.transfer(transfer(1), payload: ByteBuffer(string: "too big"))) {
            XCTAssertEqual(($0 as? AMQPError)?.condition, AMQPError.transferLimitExceeded)
        }
        XCTAssertNil(try link.transfer(transfer(2, more: true), payload: ByteBuffer(string: "abc")))
        XCTAssertThrowsError(try link.transfer(transfer(nil), payload: ByteBuffer(string: "de"))) {
            XCTAssertEqual(($0 as? AMQPError)?.condition, AMQPError.transferLimitExceeded)
        }
        // Credit is used up: another delivery is a violation.
        XCTAssertThrowsError(try link.transfer(transfer(3), payload: nil)) {
            XCTAssertEqual(($0 as? AMQPError)?.description, "amqp:link:transfer-limit-exceeded: transfer without link credit")
        }
    }

    func testSenderFlowAdvancesDeliveryCount() {
        var link = attached()
        // The sender drained 3 of our 4 credits without sending.
        link.flow(AMQPFlow(nextIncomingID: 0, incomingWindow: 9, nextOutgoingID: 0, outgoingWindow: 9, handle: 5, deliveryCount: 103, linkCredit: 1))
        XCTAssertEqual(link.deliveryCount, 103)
        XCTAssertEqual(link.linkCredit, 1)
        XCTAssertTrue(link.needsCredit)
    }
}
