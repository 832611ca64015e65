import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPSessionStateMachineTests: XCTestCase {
    typealias Action = AMQPSessionStateMachine.Action

    private func mapped(maxFrameSize: Int = 4096, remoteWindow: UInt32 = 100) -> AMQPSessionStateMachine {
        var session = AMQPSessionStateMachine(channel: 0, maxFrameSize: maxFrameSize, incomingWindow: 8, outgoingWindow: 100)
        XCTAssertEqual(session.beginFrame, AMQPBegin(nextOutgoingID: 0, incomingWindow: 8, outgoingWindow: 100))
        let actions = session.receive(.begin(AMQPBegin(remoteChannel: 0, nextOutgoingID: 50, incomingWindow: remoteWindow, outgoingWindow: 100)), payload: nil)
        XCTAssertEqual(actions, [.event(.begun)])
        XCTAssertEqual(session.state, .mapped)
        return session
    }

    private func sender(_ session: inout AMQPSessionStateMachine, credit: UInt32) -> UInt32 {
        let (handle, actions) = session.attachSender(name: "snd", address: "q")
        XCTAssertEqual(actions.count, 1)
        var remote = AMQPAttach(name: "snd", handle: 40, role: .receiver)
        remote.target = AMQPTarget(address: "q")
        XCTAssertEqual(session.receive(.attach(remote), payload: nil), [.event(.linkAttached(handle: handle))])
        _ = session.receive(.flow(AMQPFlow(nextIncomingID: 0, incomingWindow: 100, nextOutgoingID: 50, outgoingWindow: 100,
                                           handle: 40, deliveryCount: 0, linkCredit: credit)), payload: nil)
        return handle
    }

    private func transfers(_ actions: [Action]) -> [(AMQPTransfer, ByteBuffer?)] {
        actions.compactMap { if case .send(.transfer(let t), let p) = $0 { return (t, p) } else { return nil } }
    }

    func testSendAssignsDeliveryIDsAndTags() {
        var session = mapped()
        let handle = sender(&session, credit: 10)
        let a = transfers(session.send(handle: handle, token: 100, payload: ByteBuffer(string: "one")))
        let b = transfers(session.send(handle: handle, token: 101, payload: ByteBuffer(string: "two")))
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(a[0].0.deliveryID, 0)
        XCTAssertEqual(b[0].0.deliveryID, 1)
        XCTAssertEqual(a[0].0.handle, handle)
        XCTAssertEqual(a[0].0.settled, false)
        XCTAssertEqual(a[0].0.messageFormat, 0)
        XCTAssertNotEqual(a[0].0.deliveryTag, b[0].0.deliveryTag)
        XCTAssertEqual(a[0].1, ByteBuffer(string: "one"))
        XCTAssertEqual(session.nextOutgoingID, 2)
        XCTAssertEqual(session.unsettledCount, 2)
    }

    func testLargeMessageIsSplitWithinMaxFrameSize() {
        var session = mapped(maxFrameSize: 512)
        let handle = sender(&session, credit: 1)
        var payload = ByteBuffer()
        for i in 0..<3000 { payload.writeInteger(UInt8(truncatingIfNeeded: i)) }
        let frames = transfers(session.send(handle: handle, token: 1, payload: payload))
        XCTAssertGreaterThan(frames.count, 6)
        var joined = ByteBuffer()
        for (i, (transfer, chunk)) in frames.enumerated() {
            XCTAssertEqual(transfer.more, i < frames.count - 1)
            XCTAssertEqual(transfer.deliveryID, i == 0 ? 0 : nil)
            var frame = ByteBuffer()
            frame.writeAMQPFrame(.performative(.transfer(transfer), payload: chunk))
            XCTAssertLessThanOrEqual(frame.readableBytes, 512)
            var c = chunk!
            joined.writeBuffer(&c)
        }
        XCTAssertEqual(joined, payload)
        XCTAssertEqual(session.nextOutgoingID, UInt32(frames.count))
    }

    func testRemoteIncomingWindowPausesAndResumesAMultiFrameMessage() {
        var session = mapped(maxFrameSize: 512, remoteWindow: 2)
        let handle = sender(&session, credit: 5)
        XCTAssertEqual(session.remoteIncomingWindow, 100, "the link flow also carried the session window")
        _ = session.receive(.flow(AMQPFlow(nextIncomingID: 0, incomingWindow: 2, nextOutgoingID: 50, outgoingWindow: 100)), payload: nil)
        let payload = ByteBuffer(repeating: 7, count: 2000)
        let first = transfers(session.send(handle: handle, token: 1, payload: payload))
        XCTAssertEqual(first.count, 2)
        XCTAssertTrue(first.last!.0.more)
        XCTAssertEqual(session.remoteIncomingWindow, 0)
        // The peer took the two frames and opens its window again.
        let rest = transfers(session.receive(.flow(AMQPFlow(nextIncomingID: 2, incomingWindow: 100, nextOutgoingID: 50, outgoingWindow: 100)), payload: nil))
        XCTAssertFalse(rest.isEmpty)
        XCTAssertFalse(rest.last!.0.more)
        XCTAssertNil(rest.first!.0.deliveryID)
    }

    func testDispositionsBecomeOutcomes() {
        var session = mapped()
        let handle = sender(&session, credit: 10)
        for token in 0..<5 as Range<UInt64> { _ = session.send(handle: handle, token: token, payload: ByteBuffer()) }
        // Range 0...1 accepted and settled by the receiver.
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, last: 1, settled: true, state: .accepted)), payload: nil),
                       [.event(.outcome(handle: handle, token: 0, .accepted)), .event(.outcome(handle: handle, token: 1, .accepted))])
        let error = AMQPError(condition: "amqp:precondition-failed", description: "no")
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 2, settled: true, state: .rejected(error))), payload: nil),
                       [.event(.outcome(handle: handle, token: 2, .rejected(error)))])
        // Unsettled terminal state (receiver settles second): we settle.
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 3, settled: false, state: .released)), payload: nil),
                       [.event(.outcome(handle: handle, token: 3, .released)),
                        .send(.disposition(AMQPDisposition(role: .sender, first: 3, settled: true, state: .released)), payload: nil)])
        // Non-terminal state: nothing yet.
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 4, state: .received(sectionNumber: 0, sectionOffset: 0))), payload: nil), [])
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 4, settled: true,
                                                                    state: .modified(deliveryFailed: true, undeliverableHere: false, messageAnnotations: nil))), payload: nil),
                       [.event(.outcome(handle: handle, token: 4, .modified(deliveryFailed: true, undeliverableHere: false)))])
        XCTAssertEqual(session.unsettledCount, 0)
        // Dispositions for unknown ids are ignored.
        XCTAssertEqual(session.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, last: .max, settled: true, state: .accepted)), payload: nil), [])
    }

    func testReceiverFlowAndIncomingMessages() {
        var session = mapped()
        let (handle, _) = session.attachReceiver(name: "rcv", address: "in", credit: 2)
        var remote = AMQPAttach(name: "rcv", handle: 3, role: .sender, initialDeliveryCount: 0)
        remote.source = AMQPSource(address: "in")
        let actions = session.receive(.attach(remote), payload: nil)
        XCTAssertEqual(actions.first, .event(.linkAttached(handle: handle)))
        guard case .send(.flow(let flow), _)? = actions.last else { return XCTFail("no credit flow") }
        XCTAssertEqual(flow.linkCredit, 2)
        XCTAssertEqual(flow.handle, handle)
        XCTAssertEqual(flow.nextIncomingID, 50)
        let message = AMQPMessage(data: ByteBuffer(string: "cmd"))
        let received = session.receive(.transfer(AMQPTransfer(handle: 3, deliveryID: 9, deliveryTag: ByteBuffer(string: "t"), settled: false)),
                                       payload: message.encoded)
        guard case .event(.message(let h, let delivery))? = received.first else { return XCTFail("\(received)") }
        XCTAssertEqual(h, handle)
        XCTAssertEqual(delivery.message, message)
        XCTAssertEqual(delivery.deliveryID, 9)
        // Half the credit used: refilled in the same step.
        XCTAssertTrue(received.contains { if case .send(.flow(let f), _) = $0 { return f.linkCredit == 2 } else { return false } })
        XCTAssertEqual(session.settle(deliveryID: 9, state: .accepted),
                       [.send(.disposition(AMQPDisposition(role: .receiver, first: 9, settled: true, state: .accepted)), payload: nil)])
    }

    func testUndecodableMessageIsRejectedAndTransferOnUnknownHandleFails() {
        var session = mapped()
        _ = session.attachReceiver(name: "rcv", address: "in", credit: 10)
        var remote = AMQPAttach(name: "rcv", handle: 3, role: .sender, initialDeliveryCount: 0)
        remote.source = AMQPSource(address: "in")
        _ = session.receive(.attach(remote), payload: nil)
        let actions = session.receive(.transfer(AMQPTransfer(handle: 3, deliveryID: 1, deliveryTag: ByteBuffer(), settled: false)),
                                      payload: ByteBuffer(bytes: [0xA1, 1, 0x61]))
        guard case .send(.disposition(let d), _)? = actions.first, case .rejected(let error?)? = d.state else { return XCTFail("\(actions)") }
        XCTAssertEqual(error.condition, AMQPError.decodeError)
        let bad = session.receive(.transfer(AMQPTransfer(handle: 77, deliveryID: 2)), payload: nil)
        XCTAssertEqual(bad.count, 1)
        guard case .fail(let failure) = bad[0] else { return XCTFail("\(bad)") }
        XCTAssertEqual(failure.condition, AMQPError.unattachedHandle)
    }

    func testIncomingWindowIsEnforcedAndReplenished() {
        var session = mapped()
        _ = session.attachReceiver(name: "rcv", address: "in", credit: 100)
        var remote = AMQPAttach(name: "rcv", handle: 3, role: .sender, initialDeliveryCount: 0)
        remote.source = AMQPSource(address: "in")
        _ = session.receive(.attach(remote), payload: nil)
        var replenished = false
        for i in 0..<4 {
            let actions = session.receive(.transfer(AMQPTransfer(handle: 3, deliveryID: UInt32(i), settled: true)), payload: AMQPMessage(data: ByteBuffer()).encoded)
            replenished = replenished || actions.contains { if case .send(.flow(let f), _) = $0 { return f.handle == nil && f.incomingWindow == 8 } else { return false } }
        }
        XCTAssertTrue(replenished, "window 8 refilled once half was used")
        XCTAssertEqual(session.nextIncomingID, 54)
    }

    func testRemoteDetachAndRefusalFailPendingDeliveries() {
        var session = mapped()
        let handle = sender(&session, credit: 1)
        _ = session.send(handle: handle, token: 1, payload: ByteBuffer())
        _ = session.send(handle: handle, token: 2, payload: ByteBuffer())
        let error = AMQPError(condition: AMQPError.detachForced)
        let actions = session.receive(.detach(AMQPDetach(handle: 40, closed: true, error: error)), payload: nil)
        XCTAssertEqual(actions, [.send(.detach(AMQPDetach(handle: handle, closed: true)), payload: nil),
                                 .event(.linkDetached(handle: handle, error: error, unsettled: [2, 1]))])
        XCTAssertNil(session.sender(handle))
        // A refused link: attach without target, then detach with the reason.
        let (refused, _) = session.attachSender(name: "bad", address: "nowhere")
        XCTAssertEqual(session.receive(.attach(AMQPAttach(name: "bad", handle: 41, role: .receiver)), payload: nil), [])
        let notFound = AMQPError(condition: AMQPError.notFound)
        XCTAssertEqual(session.receive(.detach(AMQPDetach(handle: 41, closed: true, error: notFound)), payload: nil).last,
                       .event(.linkDetached(handle: refused, error: notFound, unsettled: [])))
    }

    func testLocalDetachAndEnd() {
        var session = mapped()
        let handle = sender(&session, credit: 0)
        _ = session.send(handle: handle, token: 9, payload: ByteBuffer())
        XCTAssertEqual(session.detach(handle: handle),
                       [.send(.detach(AMQPDetach(handle: handle, closed: true)), payload: nil), .event(.outcome(handle: handle, token: 9, .released))])
        XCTAssertEqual(session.receive(.detach(AMQPDetach(handle: 40, closed: true)), payload: nil),
                       [.event(.linkDetached(handle: handle, error: nil, unsettled: []))])
        XCTAssertEqual(session.end(), [.send(.end(AMQPEnd()), payload: nil)])
        XCTAssertEqual(session.receive(.end(AMQPEnd()), payload: nil), [.event(.ended(nil, unsettled: []))])
        XCTAssertEqual(session.state, .ended)
    }

    func testRemoteEndIsAnsweredAndReportsUnsettled() {
        var session = mapped()
        let handle = sender(&session, credit: 5)
        _ = session.send(handle: handle, token: 3, payload: ByteBuffer())
        let error = AMQPError(condition: "amqp:session:errant-link")
        XCTAssertEqual(session.receive(.end(AMQPEnd(error: error)), payload: nil),
                       [.send(.end(AMQPEnd()), payload: nil), .event(.ended(error, unsettled: [3]))])
    }
}
