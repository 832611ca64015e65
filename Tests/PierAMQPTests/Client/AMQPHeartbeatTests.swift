@testable import PierAMQP
import XCTest

/// Idle timeout in both directions: empty frames at half the peer's idle-time-out, and close when
/// the peer says nothing for our whole idle-time-out.
final class AMQPHeartbeatTests: XCTestCase {
    private func open(ourIdle: UInt32, peerIdle: UInt32?) -> AMQPConnectionStateMachine {
        var sm = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "pier", idleTimeoutMillis: ourIdle))
        _ = sm.start(now: 0)
        _ = sm.receive(.amqp, now: 0)
        _ = sm.receive(.performative(.open(AMQPOpen(containerID: "peer", idleTimeOut: peerIdle))), now: 0)
        return sm
    }

    func testHeartbeatsAtHalfThePeersTimeout() {
        var sm = open(ourIdle: 0, peerIdle: 10_000)
        XCTAssertEqual(sm.tickIntervalMillis, 2_500)
        sm.noteWrite(now: 0)
        XCTAssertEqual(sm.tick(now: 4_999), [])
        XCTAssertEqual(sm.tick(now: 5_000), [.sendFrame(AMQPFrame(channel: 0, body: .heartbeat))])
        XCTAssertEqual(sm.tick(now: 6_000), [], "the heartbeat itself counts as a write")
        // Real traffic postpones the next heartbeat.
        sm.noteWrite(now: 9_000)
        XCTAssertEqual(sm.tick(now: 13_000), [])
        XCTAssertEqual(sm.tick(now: 14_000), [.sendFrame(AMQPFrame(channel: 0, body: .heartbeat))])
    }

    func testNoHeartbeatsWhenPeerHasNoTimeout() {
        var sm = open(ourIdle: 0, peerIdle: nil)
        XCTAssertNil(sm.tickIntervalMillis)
        XCTAssertEqual(sm.tick(now: 1_000_000), [])
    }

    func testClosesWhenPeerIsSilentForOurTimeout() {
        var sm = open(ourIdle: 2_000, peerIdle: nil)
        XCTAssertEqual(sm.tickIntervalMillis, 500)
        XCTAssertEqual(sm.tick(now: 1_999), [])
        // Any frame, even an empty one, resets it.
        _ = sm.receive(AMQPFrame(body: .heartbeat), now: 1_500)
        XCTAssertEqual(sm.tick(now: 3_000), [])
        let actions = sm.tick(now: 3_500)
        guard case .sendFrame(let frame)? = actions.first, case .performative(.close(let close), _) = frame.body else { return XCTFail("\(actions)") }
        XCTAssertEqual(close.error?.condition, AMQPError.resourceLimitExceeded)
        XCTAssertEqual(actions.last, .closed(.idleTimeout))
        XCTAssertEqual(sm.tick(now: 10_000), [])
    }

    func testIdleTimeoutAlsoCoversTheHandshake() {
        var sm = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "p", sasl: .anonymous, idleTimeoutMillis: 1_000))
        _ = sm.start(now: 0)
        // No SASL header from the peer: nothing to close politely, just give up.
        XCTAssertEqual(sm.tick(now: 1_000), [.closed(.idleTimeout)])
    }
}
