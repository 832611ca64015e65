import NIOCore
@testable import PierAMQP
import XCTest

/// The server connection machine: header negotiation, SASL, open, close, bad input, time.
final class AMQPServerConnectionStateMachineTests: XCTestCase {
    static func plain(_ user: String, _ password: String) -> AMQPFrame {
        AMQPFrame(body: .sasl(.plain(user: user, password: password)))
    }

    /// A machine through SASL ANONYMOUS and open; `peerIdle` is the client's idle-time-out.
    static func opened(_ configuration: AMQPServerConfiguration = AMQPServerConfiguration(), peerIdle: UInt32? = nil,
                       peerMaxFrame: UInt32 = .max) -> AMQPServerConnectionStateMachine {
        var sm = AMQPServerConnectionStateMachine(configuration: configuration, now: 0)
        _ = sm.receive(.sasl, now: 0)
        _ = sm.receive(AMQPFrame(body: .sasl(.anonymous())), now: 0)
        _ = sm.authenticated(true)
        _ = sm.receive(.amqp, now: 0)
        var open = AMQPOpen(containerID: "client", maxFrameSize: peerMaxFrame, idleTimeOut: peerIdle)
        open.channelMax = 10
        _ = sm.receive(.performative(.open(open)), now: 0)
        return sm
    }

    private func closeError(_ actions: [AMQPServerAction]) -> AMQPError? {
        for case .sendFrame(let f) in actions {
            if case .performative(.close(let close), _) = f.body { return close.error }
        }
        return nil
    }

    func testSASLPlainIsCheckedByTheAdapterThenTheAMQPLayerStarts() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(allowAnonymous: false), now: 0)
        XCTAssertEqual(sm.receive(.sasl, now: 0), [.sendHeader(.sasl), .sendFrame(AMQPFrame(body: .sasl(.mechanisms(["PLAIN"]))))],
                       "ANONYMOUS is not offered when the listener refuses anonymous clients")
        XCTAssertEqual(sm.receive(Self.plain("alice", "pw"), now: 0), [.authenticate(username: "alice", password: Array("pw".utf8))])
        XCTAssertEqual(sm.authenticated(true), [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .ok, additionalData: nil)))), .expectHeader])
        XCTAssertEqual(sm.receive(.amqp, now: 0), [.sendHeader(.amqp)])
        let actions = sm.receive(.performative(.open(AMQPOpen(containerID: "c1"))), now: 0)
        XCTAssertEqual(actions.last, .opened(containerID: "c1"))
        guard case .sendFrame(let f) = actions.first, case .performative(.open(let ours), _) = f.body else {
            return XCTFail("expected our open first: \(actions)")
        }
        XCTAssertEqual(ours.offeredCapabilities, ["ANONYMOUS-RELAY"])
        XCTAssertEqual(ours.idleTimeOut, 60_000)
        XCTAssertTrue(sm.isOpen)
    }

    func testABadPasswordGetsTheAuthOutcomeAndAClose() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(), now: 0)
        _ = sm.receive(.sasl, now: 0)
        _ = sm.receive(Self.plain("alice", "wrong"), now: 0)
        XCTAssertEqual(sm.authenticated(false), [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .auth, additionalData: nil)))), .close])
        XCTAssertEqual(sm.state, .closed)
    }

    func testAnonymousIsRefusedWhenNotOfferedAndAMalformedPlainResponseFails() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(allowAnonymous: false), now: 0)
        _ = sm.receive(.sasl, now: 0)
        XCTAssertEqual(sm.receive(AMQPFrame(body: .sasl(.anonymous())), now: 0).last, .close)
        var sm2 = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(), now: 0)
        _ = sm2.receive(.sasl, now: 0)
        let bad = AMQPFrame(body: .sasl(.initial(mechanism: "PLAIN", initialResponse: ByteBuffer(string: "no-nuls"), hostname: nil)))
        XCTAssertEqual(sm2.receive(bad, now: 0), [.sendFrame(AMQPFrame(body: .sasl(.outcome(code: .auth, additionalData: nil)))), .close])
    }

    func testWithoutSASLARefusedClientGetsOpenAndCloseWithTheReason() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(), now: 0)
        XCTAssertEqual(sm.receive(.amqp, now: 0), [.authenticate(username: nil, password: nil)])
        let actions = sm.authenticated(false, refusal: AMQPError(condition: AMQPError.unauthorizedAccess, description: "no"))
        XCTAssertEqual(actions.first, .sendHeader(.amqp))
        XCTAssertEqual(closeError(actions)?.condition, AMQPError.unauthorizedAccess)
        XCTAssertEqual(actions.last, .close)
    }

    func testAnUnservedProtocolHeaderIsAnsweredWithOursAndAClose() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(), now: 0)
        XCTAssertEqual(sm.receive(.tls, now: 0), [.sendHeader(.sasl), .close])
    }

    func testADecodeErrorClosesWithDecodeErrorAndItsDescription() {
        var sm = Self.opened()
        let actions = sm.decodeFailed(.unknownFormatCode(0xFF))
        XCTAssertEqual(closeError(actions)?.condition, AMQPError.decodeError)
        XCTAssertEqual(closeError(actions)?.errorDescription, "unknown format code 0xff")
        XCTAssertEqual(actions.last, .close)
        XCTAssertEqual(sm.decodeFailed(.invalidUTF8), [], "nothing more once closed")
    }

    func testAFramingErrorBeforeOpenStillSendsOpenThenClose() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(), now: 0)
        _ = sm.receive(.amqp, now: 0)
        _ = sm.authenticated(true)
        let actions = sm.decodeFailed(.invalidFrameSize(4))
        guard case .sendFrame(let f) = actions.first, case .performative(.open, _) = f.body else {
            return XCTFail("a close must follow an open: \(actions)")
        }
        XCTAssertEqual(closeError(actions)?.condition, AMQPError.framingError)
    }

    func testHeartbeatsAtHalfThePeersIdleTimeoutAndACloseWhenThePeerIsSilent() {
        var sm = Self.opened(AMQPServerConfiguration(idleTimeoutMillis: 4_000), peerIdle: 2_000)
        XCTAssertEqual(sm.tick(now: 999), [])
        XCTAssertEqual(sm.tick(now: 1_000), [.sendFrame(AMQPFrame(channel: 0, body: .heartbeat))])
        XCTAssertEqual(sm.tick(now: 1_500), [], "the heartbeat counts as a write")
        sm.bytesReceived(now: 3_000)
        XCTAssertEqual(sm.tick(now: 6_999).filter { $0 == .close }, [])
        let actions = sm.tick(now: 7_001)
        XCTAssertEqual(closeError(actions)?.condition, AMQPError.resourceLimitExceeded)
        XCTAssertEqual(actions.last, .close)
    }

    func testAConnectionThatNeverOpensIsClosedAfterTheConnectTimeout() {
        var sm = AMQPServerConnectionStateMachine(configuration: AMQPServerConfiguration(connectTimeoutMillis: 1_000), now: 0)
        _ = sm.receive(.sasl, now: 0)
        XCTAssertEqual(sm.tick(now: 1_000), [])
        XCTAssertEqual(sm.tick(now: 1_001).last, .close)
    }

    func testBeginIsAnsweredOnTheSameChannelAndChannelMaxIsEnforced() {
        var sm = Self.opened()
        let begin = AMQPBegin(nextOutgoingID: 0, incomingWindow: 100, outgoingWindow: 100)
        let actions = sm.receive(.performative(.begin(begin), channel: 3), now: 0)
        guard case .sendFrame(let f)? = actions.first, case .performative(.begin(let reply), _) = f.body else {
            return XCTFail("\(actions)")
        }
        XCTAssertEqual(f.channel, 3)
        XCTAssertEqual(reply.remoteChannel, 3)
        XCTAssertEqual(closeError(sm.receive(.performative(.begin(begin), channel: 11), now: 0))?.condition, AMQPError.framingError,
                       "the client said channel-max 10")
    }

    func testCloseIsAnsweredAndLinksAreGivenBack() {
        var sm = Self.opened()
        _ = sm.receive(.performative(.begin(AMQPBegin(nextOutgoingID: 0, incomingWindow: 100, outgoingWindow: 100))), now: 0)
        _ = sm.receive(.performative(.attach(AMQPAttach(name: "r", handle: 0, role: .receiver, source: AMQPSource(address: "q")))), now: 0)
        _ = sm.acceptOutgoing(AMQPLinkKey(channel: 0, handle: 0), reply: AMQPAttach(name: "r", handle: 0, role: .sender))
        let actions = sm.receive(.performative(.close(AMQPClose())), now: 0)
        XCTAssertEqual(actions.first, .detached(AMQPLinkKey(channel: 0, handle: 0), closed: false, unsettled: []))
        XCTAssertEqual(actions.suffix(2), [.sendFrame(.performative(.close(AMQPClose()))), .close])
    }
}
