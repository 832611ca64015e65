import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPSenderLinkTests: XCTestCase {
    private func attached(credit: UInt32 = 0) -> AMQPSenderLink {
        var link = AMQPSenderLink(name: "s", handle: 0, address: "/queue/q", durable: 2)
        var remote = AMQPAttach(name: "s", handle: 9, role: .receiver)
        remote.target = AMQPTarget(address: "/queue/q")
        XCTAssertTrue(link.remoteAttached(remote))
        if credit > 0 { _ = link.flow(flow(deliveryCount: 0, credit: credit)) }
        return link
    }

    private func flow(deliveryCount: UInt32?, credit: UInt32, drain: Bool = false, echo: Bool = false) -> AMQPFlow {
        AMQPFlow(nextIncomingID: 0, incomingWindow: 100, nextOutgoingID: 0, outgoingWindow: 100, handle: 9,
                 deliveryCount: deliveryCount, linkCredit: credit, drain: drain, echo: echo)
    }

    func testAttachFrameIsUnsettledSenderWithTarget() {
        let link = AMQPSenderLink(name: "s", handle: 3, address: "/queue/q", durable: 2)
        let attach = link.attachFrame
        XCTAssertEqual(attach.role, .sender)
        XCTAssertEqual(attach.sndSettleMode, .unsettled)
        XCTAssertEqual(attach.rcvSettleMode, .first)
        XCTAssertEqual(attach.target?.address, "/queue/q")
        XCTAssertEqual(attach.target?.durable, 2)
        XCTAssertEqual(attach.initialDeliveryCount, 0)
        XCTAssertEqual(attach.handle, 3)
    }

    func testRefusedWhenPeerAttachesWithoutTarget() {
        var link = AMQPSenderLink(name: "s", handle: 0, address: "x")
        XCTAssertFalse(link.remoteAttached(AMQPAttach(name: "s", handle: 1, role: .receiver)))
        XCTAssertEqual(link.state, .attaching)
    }

    func testMessagesWaitForCreditAndConsumeIt() {
        var link = attached()
        link.enqueue(token: 1, payload: ByteBuffer(string: "a"))
        link.enqueue(token: 2, payload: ByteBuffer(string: "b"))
        XCTAssertNil(link.next(), "no credit yet")
        _ = link.flow(flow(deliveryCount: 0, credit: 1))
        XCTAssertEqual(link.next()?.token, 1)
        XCTAssertNil(link.next())
        XCTAssertEqual(link.deliveryCount, 1)
        XCTAssertEqual(link.linkCredit, 0)
        // The receiver grants 5 from its delivery-count of 1.
        _ = link.flow(flow(deliveryCount: 1, credit: 5))
        XCTAssertEqual(link.linkCredit, 5)
        XCTAssertEqual(link.next()?.token, 2)
        XCTAssertEqual(link.queuedCount, 0)
    }

    func testCreditAccountsForDeliveriesInFlight() {
        var link = attached(credit: 10)
        for i in 0..<4 { link.enqueue(token: UInt64(i), payload: ByteBuffer()) }
        for _ in 0..<4 { XCTAssertNotNil(link.next()) }
        // A flow sent by the receiver before it saw our 4 transfers: 10 credit from count 0.
        _ = link.flow(flow(deliveryCount: 0, credit: 10))
        XCTAssertEqual(link.linkCredit, 6)
        // Credit smaller than what is in flight means none left.
        _ = link.flow(flow(deliveryCount: 0, credit: 2))
        XCTAssertEqual(link.linkCredit, 0)
        // Before the receiver knows a delivery-count (first flow), credit counts from ours.
        _ = link.flow(flow(deliveryCount: nil, credit: 3))
        XCTAssertEqual(link.linkCredit, 3)
    }

    func testSequenceNumbersWrap() {
        var link = attached()
        _ = link.flow(flow(deliveryCount: 0, credit: 1))
        // Drain forces delivery-count forward; bring it close to the wrap point with a large credit.
        _ = link.flow(flow(deliveryCount: 0, credit: .max, drain: true))
        XCTAssertEqual(link.deliveryCount, .max)
        _ = link.flow(flow(deliveryCount: .max, credit: 3))
        for i in 0..<3 { link.enqueue(token: UInt64(i), payload: ByteBuffer()) }
        for _ in 0..<3 { XCTAssertNotNil(link.next()) }
        XCTAssertEqual(link.deliveryCount, 2, "wrapped past 2^32")
        _ = link.flow(flow(deliveryCount: 1, credit: 4))
        XCTAssertEqual(link.linkCredit, 3)
    }

    func testDrainWithNothingQueuedGivesCreditBack() {
        var link = attached()
        XCTAssertTrue(link.flow(flow(deliveryCount: 0, credit: 7, drain: true)), "must answer a drain")
        XCTAssertEqual(link.linkCredit, 0)
        XCTAssertEqual(link.deliveryCount, 7)
        var answer = AMQPFlow(nextIncomingID: 0, incomingWindow: 0, nextOutgoingID: 0, outgoingWindow: 0)
        link.flowFields(into: &answer)
        XCTAssertEqual(answer.deliveryCount, 7)
        XCTAssertEqual(answer.linkCredit, 0)
        XCTAssertFalse(answer.drain)
        XCTAssertTrue(link.flow(flow(deliveryCount: 7, credit: 1, echo: true)), "echo asks for a flow back")
    }

    func testDetachReturnsQueuedTokens() {
        var link = attached()
        link.enqueue(token: 5, payload: ByteBuffer())
        link.enqueue(token: 6, payload: ByteBuffer())
        XCTAssertEqual(link.detaching(), [5, 6])
        XCTAssertEqual(link.state, .detaching)
        XCTAssertNil(link.next())
        XCTAssertEqual(link.detached(), [])
    }
}
