import NIOCore
@testable import PierAMQP
import XCTest

/// Links, credit, windows and transfers of a server session, through the connection machine.
final class AMQPServerSessionTests: XCTestCase {
    let key = AMQPLinkKey(channel: 0, handle: 5)

    private func begun(_ configuration: AMQPServerConfiguration = AMQPServerConfiguration(), peerWindow: UInt32 = 100,
                       peerMaxFrame: UInt32 = .max) -> AMQPServerConnectionStateMachine {
        var sm = AMQPServerConnectionStateMachineTests.opened(configuration, peerMaxFrame: peerMaxFrame)
        _ = sm.receive(.performative(.begin(AMQPBegin(nextOutgoingID: 0, incomingWindow: peerWindow, outgoingWindow: 100))), now: 0)
        return sm
    }

    private func frames(_ actions: [AMQPServerAction]) -> [(AMQPPerformative, ByteBuffer?)] {
        actions.compactMap {
            guard case .sendFrame(let f) = $0, case .performative(let p, let payload) = f.body else { return nil }
            return (p, payload)
        }
    }

    private func transfers(_ actions: [AMQPServerAction]) -> [(AMQPTransfer, ByteBuffer?)] {
        frames(actions).compactMap { if case .transfer(let t) = $0.0 { return (t, $0.1) } else { return nil } }
    }

    private func flows(_ actions: [AMQPServerAction]) -> [AMQPFlow] {
        frames(actions).compactMap { if case .flow(let f) = $0.0 { return f } else { return nil } }
    }

    /// A client sender attached and accepted; returns the machine and the credit Pier granted.
    private func withSender(_ configuration: AMQPServerConfiguration = AMQPServerConfiguration()) -> (AMQPServerConnectionStateMachine, UInt32?) {
        var sm = begun(configuration)
        let attach = AMQPAttach(name: "s", handle: 5, role: .sender, target: AMQPTarget(address: "q"), initialDeliveryCount: 0)
        XCTAssertEqual(sm.receive(.performative(.attach(attach)), now: 0), [.attachIncoming(key, attach)])
        let actions = sm.acceptIncoming(key, reply: AMQPAttach(name: "s", handle: 5, role: .receiver, target: AMQPTarget(address: "q")))
        return (sm, flows(actions).first?.linkCredit)
    }

    private func withReceiver(_ configuration: AMQPServerConfiguration = AMQPServerConfiguration(), peerWindow: UInt32 = 100,
                              peerMaxFrame: UInt32 = .max, settled: Bool = false) -> AMQPServerConnectionStateMachine {
        var sm = begun(configuration, peerWindow: peerWindow, peerMaxFrame: peerMaxFrame)
        let attach = AMQPAttach(name: "r", handle: 5, role: .receiver, sndSettleMode: settled ? .settled : .mixed,
                                source: AMQPSource(address: "q"))
        XCTAssertEqual(sm.receive(.performative(.attach(attach)), now: 0), [.attachOutgoing(key, attach)])
        let actions = sm.acceptOutgoing(key, reply: AMQPAttach(name: "r", handle: 5, role: .sender, source: AMQPSource(address: "q")))
        guard case .sendFrame(let f)? = actions.first, case .performative(.attach(let reply), _) = f.body else {
            XCTFail("\(actions)")
            return sm
        }
        XCTAssertEqual(reply.initialDeliveryCount, 0)
        return sm
    }

    private func credit(_ sm: inout AMQPServerConnectionStateMachine, _ n: UInt32, deliveryCount: UInt32 = 0, drain: Bool = false,
                        window: UInt32 = 100) -> [AMQPServerAction] {
        sm.receive(.performative(.flow(AMQPFlow(nextIncomingID: 0, incomingWindow: window, nextOutgoingID: 0, outgoingWindow: 100, handle: 5,
                                                deliveryCount: deliveryCount, linkCredit: n, drain: drain))), now: 0)
    }

    // MARK: - Client senders

    func testAnAcceptedSenderGetsCreditAndItsMessagesComeOutWhole() {
        var (sm, granted) = withSender(AMQPServerConfiguration(linkCredit: 10))
        XCTAssertEqual(granted, 10)
        var first = AMQPTransfer(handle: 5, deliveryID: 0, deliveryTag: ByteBuffer(string: "t"), settled: false, more: true)
        first.messageFormat = 0
        XCTAssertEqual(sm.receive(.performative(.transfer(first), payload: ByteBuffer(string: "hel")), now: 0), [])
        let last = AMQPTransfer(handle: 5, more: false)
        XCTAssertEqual(sm.receive(.performative(.transfer(last), payload: ByteBuffer(string: "lo")), now: 0),
                       [.message(key, deliveryID: 0, settled: false, transaction: nil, payload: ByteBuffer(string: "hello"))])
        let settle = sm.settleIncoming(key, deliveryID: 0, state: .accepted)
        XCTAssertEqual(settle, [.sendFrame(.performative(.disposition(AMQPDisposition(role: .receiver, first: 0, settled: true, state: .accepted))))])
    }

    func testAcceptedDeliveriesAreSettledInRangedDispositions() {
        var (sm, _) = withSender()
        for id: UInt32 in [2, 3, 4, 7, 8, 10] {
            _ = sm.receive(.performative(.transfer(AMQPTransfer(handle: 5, deliveryID: id, deliveryTag: ByteBuffer(), settled: false))), now: 0)
        }
        let actions = sm.settleAccepted(key, deliveryIDs: [4, 2, 3, 7, 8, 10])
        let ranges = frames(actions).compactMap { p -> [UInt32?]? in
            guard case .disposition(let d) = p.0, d.settled, d.role == .receiver, d.state == .accepted else { return nil }
            return [d.first, d.last]
        }
        XCTAssertEqual(ranges, [[2, 4], [7, 8], [10, nil]])
        XCTAssertEqual(sm.settleAccepted(AMQPLinkKey(channel: 9, handle: 5), deliveryIDs: [1]), [], "no such session")
    }

    func testCreditIsWithheldWhileAWindowOfMessagesAwaitsTheCore() {
        var (sm, _) = withSender(AMQPServerConfiguration(linkCredit: 4))
        var granted: [AMQPFlow] = []
        for id: UInt32 in 0..<4 {
            let t = AMQPTransfer(handle: 5, deliveryID: id, deliveryTag: ByteBuffer(), settled: false)
            granted += flows(sm.receive(.performative(.transfer(t), payload: ByteBuffer(string: "x")), now: 0))
        }
        // Half used after two: topped up once (2 awaiting); the next top-up waits for settlements.
        XCTAssertEqual(granted.map(\.linkCredit), [4])
        let t = AMQPTransfer(handle: 5, deliveryID: 4, deliveryTag: ByteBuffer(), settled: false)
        XCTAssertEqual(flows(sm.receive(.performative(.transfer(t), payload: ByteBuffer(string: "x")), now: 0)).count, 0,
                       "five await the core: no more credit")
        let settled = sm.settleAccepted(key, deliveryIDs: [0, 1, 2, 3, 4])
        XCTAssertEqual(flows(settled).map(\.linkCredit), [4], "settling frees the window")
    }

    func testCreditIsToppedUpWhenHalfIsUsed() {
        var (sm, _) = withSender(AMQPServerConfiguration(linkCredit: 4))
        var topUps: [AMQPFlow] = []
        for id: UInt32 in 0..<3 {
            let t = AMQPTransfer(handle: 5, deliveryID: id, deliveryTag: ByteBuffer(string: "\(id)"), settled: true)
            topUps += flows(sm.receive(.performative(.transfer(t), payload: ByteBuffer(string: "x")), now: 0))
        }
        XCTAssertEqual(topUps.count, 1)
        XCTAssertEqual(topUps.first?.linkCredit, 4)
        XCTAssertEqual(topUps.first?.deliveryCount, 2)
    }

    func testAFirstTransferWithoutDeliveryIDClosesWithInvalidField() {
        var (sm, _) = withSender()
        let actions = sm.receive(.performative(.transfer(AMQPTransfer(handle: 5))), now: 0)
        XCTAssertEqual(actions.last, .close)
        XCTAssertTrue(actions.contains(.detached(key, closed: false, unsettled: [])), "the link is given back")
    }

    func testAnOversizedMultiFrameMessageDetachesWithTransferLimitExceeded() {
        var (sm, _) = withSender(AMQPServerConfiguration(maxMessageSize: 4))
        _ = sm.receive(.performative(.transfer(AMQPTransfer(handle: 5, deliveryID: 0, deliveryTag: ByteBuffer(), more: true)),
                                     payload: ByteBuffer(string: "abc")), now: 0)
        let actions = sm.receive(.performative(.transfer(AMQPTransfer(handle: 5, more: false)), payload: ByteBuffer(string: "de")), now: 0)
        guard case .detach(let d)? = frames(actions).first?.0 else { return XCTFail("\(actions)") }
        XCTAssertEqual(d.error?.condition, AMQPError.transferLimitExceeded)
        XCTAssertEqual(actions.last, .detached(key, closed: false, unsettled: []))
    }

    func testATransferOnAnUnattachedHandleClosesTheConnection() {
        var sm = begun()
        let actions = sm.receive(.performative(.transfer(AMQPTransfer(handle: 9, deliveryID: 0, deliveryTag: ByteBuffer()))), now: 0)
        XCTAssertEqual(actions.last, .close)
    }

    func testARefusedLinkIsAttachedWithoutTerminusThenDetachedAndThePeersDetachIsNotAnsweredTwice() {
        var sm = begun()
        let attach = AMQPAttach(name: "tx", handle: 5, role: .sender)
        _ = sm.receive(.performative(.attach(attach)), now: 0)
        let refusal = sm.refuseLink(key, reply: AMQPAttach(name: "tx", handle: 5, role: .receiver, target: AMQPTarget(address: "x")),
                                    error: AMQPError(condition: "amqp:not-implemented"))
        guard case .attach(let reply)? = frames(refusal).first?.0, case .detach(let detach)? = frames(refusal).last?.0 else {
            return XCTFail("\(refusal)")
        }
        XCTAssertNil(reply.target)
        XCTAssertEqual(detach.error?.condition, "amqp:not-implemented")
        let answer = sm.receive(.performative(.detach(AMQPDetach(handle: 5, closed: true))), now: 0)
        XCTAssertEqual(frames(answer).count, 0)
    }

    // MARK: - Client receivers

    func testDeliveriesWaitForCreditThenGoOutUnsettled() {
        var sm = withReceiver()
        let held = sm.deliver(key, token: 7, payload: ByteBuffer(string: "m1"))
        XCTAssertFalse(held.dropped)
        XCTAssertEqual(transfers(held.actions).count, 0, "no credit yet")
        let actions = credit(&sm, 5)
        let sent = transfers(actions)
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(sent.first?.0.deliveryID, 0)
        XCTAssertEqual(sent.first?.0.settled, false)
        XCTAssertEqual(sent.first?.1, ByteBuffer(string: "m1"))
        XCTAssertEqual(actions.last, .credit(key, 4), "the core may use what is left")
        let outcome = sm.receive(.performative(.disposition(AMQPDisposition(role: .receiver, first: 0, settled: true, state: .accepted))), now: 0)
        XCTAssertEqual(outcome, [.outcome(key, token: 7, .accepted)])
    }

    func testAReceiverThatSettlesSecondIsAnsweredWithOurSettlement() {
        var sm = withReceiver()
        _ = credit(&sm, 5)
        _ = sm.deliver(key, token: 1, payload: ByteBuffer(string: "a"))
        let actions = sm.receive(.performative(.disposition(AMQPDisposition(role: .receiver, first: 0, settled: false, state: .released))), now: 0)
        XCTAssertEqual(actions.first, .outcome(key, token: 1, .released))
        guard case .disposition(let d)? = frames(actions).first?.0 else { return XCTFail("\(actions)") }
        XCTAssertTrue(d.settled)
        XCTAssertEqual(d.role, .sender)
    }

    func testPreSettledReceiversGetSettledTransfersAndNoOutcomes() {
        var sm = withReceiver(settled: true)
        _ = credit(&sm, 5)
        let sent = transfers(sm.deliver(key, token: 1, payload: ByteBuffer(string: "a")).actions)
        XCTAssertEqual(sent.first?.0.settled, true)
    }

    func testALargeDeliveryIsSplitToThePeersMaxFrameSize() {
        var sm = withReceiver(peerMaxFrame: 512)
        _ = credit(&sm, 1)
        let body = ByteBuffer(repeating: 0x61, count: 2000)
        let sent = transfers(sm.deliver(key, token: 1, payload: body).actions)
        XCTAssertGreaterThan(sent.count, 3)
        XCTAssertEqual(sent.dropLast().map(\.0.more), Array(repeating: true, count: sent.count - 1))
        XCTAssertEqual(sent.last?.0.more, false)
        var joined = ByteBuffer()
        for (t, payload) in sent {
            var payload = payload
            var encoded = ByteBuffer()
            encoded.writeAMQPFrame(.performative(.transfer(t), payload: payload))
            XCTAssertLessThanOrEqual(encoded.readableBytes, 512)
            joined.writeBuffer(&payload!)
        }
        XCTAssertEqual(joined, body)
    }

    func testThePeersSessionWindowHoldsTransfersBack() {
        var sm = withReceiver(peerWindow: 1)
        _ = credit(&sm, 10, window: 1)
        XCTAssertEqual(transfers(sm.deliver(key, token: 1, payload: ByteBuffer(string: "a")).actions).count, 1)
        XCTAssertEqual(transfers(sm.deliver(key, token: 2, payload: ByteBuffer(string: "b")).actions).count, 0, "window used up")
        let reopened = sm.receive(.performative(.flow(AMQPFlow(nextIncomingID: 1, incomingWindow: 10, nextOutgoingID: 0, outgoingWindow: 100))), now: 0)
        XCTAssertEqual(transfers(reopened).count, 1)
    }

    func testDrainUsesUpTheCreditAndReportsTheDeliveryCount() {
        var sm = withReceiver()
        _ = sm.deliver(key, token: 1, payload: ByteBuffer(string: "a"))
        let actions = credit(&sm, 5, drain: true)
        XCTAssertEqual(transfers(actions).count, 1)
        let flow = flows(actions).last
        XCTAssertEqual(flow?.deliveryCount, 5)
        XCTAssertEqual(flow?.linkCredit, 0)
        XCTAssertEqual(actions.last, .credit(key, 0))
    }

    func testDetachGivesBackWhatTheLinkHeld() {
        var sm = withReceiver()
        _ = credit(&sm, 1)
        _ = sm.deliver(key, token: 1, payload: ByteBuffer(string: "sent"))
        _ = sm.deliver(key, token: 2, payload: ByteBuffer(string: "held"))
        let actions = sm.receive(.performative(.detach(AMQPDetach(handle: 5, closed: true))), now: 0)
        XCTAssertEqual(actions.last, .detached(key, closed: true, unsettled: [2, 1]))
        guard case .detach(let d)? = frames(actions).first?.0 else { return XCTFail("\(actions)") }
        XCTAssertTrue(d.closed)
    }

    func testTooManyHeldDeliveriesAreDropped() {
        var sm = withReceiver(AMQPServerConfiguration(maxBufferedDeliveries: 2))
        XCTAssertFalse(sm.deliver(key, token: 1, payload: ByteBuffer()).dropped)
        XCTAssertFalse(sm.deliver(key, token: 2, payload: ByteBuffer()).dropped)
        XCTAssertTrue(sm.deliver(key, token: 3, payload: ByteBuffer()).dropped)
    }
}
