import NIOCore
@testable import PierAMQP
import XCTest

final class MultiFrameTransferTests: XCTestCase {
    func testALargeMessageSplitAcrossFramesReassemblesExactly() throws {
        var big = ByteBuffer(); big.writeRepeatingByte(1, count: 100_000)
        let payload = AMQPMessage(data: big).encoded
        var s = AMQPSessionStateMachine(channel: 0, maxFrameSize: 4096)
        _ = s.receive(.begin(AMQPBegin(remoteChannel: 0, nextOutgoingID: 0, incomingWindow: 100, outgoingWindow: 100)), payload: nil)
        let (h, _) = s.attachSender(name: "a", address: "q")
        var att = AMQPAttach(name: "a", handle: 7, role: .receiver); att.target = AMQPTarget(address: "q")
        _ = s.receive(.attach(att), payload: nil)
        _ = s.receive(.flow(AMQPFlow(nextIncomingID: 0, incomingWindow: 100, nextOutgoingID: 0, outgoingWindow: 100, handle: 7, deliveryCount: 0, linkCredit: 10)), payload: nil)
        let actions = s.send(handle: h, token: 1, payload: payload)
        var joined = ByteBuffer()
        for a in actions { if case .send(.transfer, var p?) = a { joined.writeBuffer(&p) } }
        XCTAssertEqual(joined, payload)
        var r = AMQPReceiverLink(name: "b", handle: 0, address: "q", creditWindow: 10)
        var ratt = AMQPAttach(name: "b", handle: 0, role: .sender); ratt.source = AMQPSource(address: "q")
        _ = r.remoteAttached(ratt); r.grantCredit()
        var done: AMQPReceiverLink.Completed?
        for a in actions { if case .send(.transfer(let t), let p) = a { done = try r.transfer(t, payload: p) } }
        XCTAssertEqual(done?.payload, payload)
    }
}
