import NIOCore
@testable import PierAMQP
import XCTest

final class AMQPConnectionStateMachineTests: XCTestCase {
    typealias Action = AMQPConnectionStateMachine.Action

    private func open(_ config: AMQPConnectionConfiguration = AMQPConnectionConfiguration(containerID: "pier", idleTimeoutMillis: 0)) -> AMQPConnectionStateMachine {
        var sm = AMQPConnectionStateMachine(configuration: config)
        _ = sm.start(now: 0)
        XCTAssertEqual(sm.receive(.amqp, now: 0), [])
        let remote = AMQPOpen(containerID: "peer", maxFrameSize: 8192, channelMax: 10)
        XCTAssertEqual(sm.receive(.performative(.open(remote)), now: 0), [.opened(remote)])
        return sm
    }

    func testPlainHeaderExchangeAndOpen() {
        var sm = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "pier", hostname: "h", maxFrameSize: 65_536,
                                                                                         channelMax: 7, idleTimeoutMillis: 30_000))
        let actions = sm.start(now: 0)
        let expectedOpen = AMQPOpen(containerID: "pier", hostname: "h", maxFrameSize: 65_536, channelMax: 7, idleTimeOut: 30_000)
        XCTAssertEqual(actions, [.sendHeader(.amqp), .sendFrame(.performative(.open(expectedOpen)))])
        XCTAssertEqual(sm.state, .awaitingAMQPHeader)
        XCTAssertEqual(sm.receive(.amqp, now: 1), [])
        let remote = AMQPOpen(containerID: "broker", maxFrameSize: 4096, idleTimeOut: 10_000)
        XCTAssertEqual(sm.receive(.performative(.open(remote)), now: 2), [.opened(remote)])
        XCTAssertTrue(sm.isOpen)
        XCTAssertEqual(sm.peerMaxFrameSize, 4096)
    }

    func testSASLPlainThenAMQP() throws {
        var sm = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "pier", hostname: "vhost",
                                                                                         sasl: .plain(user: "guest", password: "pw")))
        XCTAssertEqual(sm.start(now: 0), [.sendHeader(.sasl)])
        XCTAssertEqual(sm.receive(.sasl, now: 0), [])
        XCTAssertEqual(sm.receive(AMQPFrame(body: .sasl(.mechanisms(["AMQPLAIN", "PLAIN"]))), now: 0),
                       [.sendFrame(AMQPFrame(body: .sasl(.plain(user: "guest", password: "pw", hostname: "vhost"))))])
        let actions = sm.receive(AMQPFrame(body: .sasl(.outcome(code: .ok, additionalData: nil))), now: 0)
        XCTAssertEqual(actions.first, .sendHeader(.amqp))
        XCTAssertEqual(sm.state, .awaitingAMQPHeader)
    }

    func testSASLFailures() {
        var sm = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "p", sasl: .plain(user: "u", password: "x")))
        _ = sm.start(now: 0)
        _ = sm.receive(.sasl, now: 0)
        _ = sm.receive(AMQPFrame(body: .sasl(.mechanisms(["PLAIN"]))), now: 0)
        XCTAssertEqual(sm.receive(AMQPFrame(body: .sasl(.outcome(code: .auth, additionalData: nil))), now: 0), [.closed(.authenticationFailed(.auth))])

        var anonymous = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "p", sasl: .anonymous))
        _ = anonymous.start(now: 0)
        _ = anonymous.receive(.sasl, now: 0)
        XCTAssertEqual(anonymous.receive(AMQPFrame(body: .sasl(.mechanisms(["PLAIN"]))), now: 0),
                       [.closed(.mechanismNotOffered(wanted: "ANONYMOUS", offered: ["PLAIN"]))])

        // A server that insists on SASL answers our plain AMQP header with its SASL header.
        var plain = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "p"))
        _ = plain.start(now: 0)
        XCTAssertEqual(plain.receive(.sasl, now: 0), [.closed(.protocolHeaderMismatch(sent: .amqp, received: .sasl))])
    }

    func testSessionBeginRoutesByPeerChannel() throws {
        var sm = open()
        let (channel, actions) = try sm.beginSession()
        XCTAssertEqual(channel, 0)
        XCTAssertEqual(actions, [.sendFrame(.performative(.begin(AMQPBegin(nextOutgoingID: 0, incomingWindow: 2048, outgoingWindow: 2048)), channel: 0))])
        // The peer answers on its own channel 5, naming ours as remote-channel.
        XCTAssertEqual(sm.receive(.performative(.begin(AMQPBegin(remoteChannel: 0, nextOutgoingID: 1, incomingWindow: 10, outgoingWindow: 10)), channel: 5), now: 0),
                       [.session(channel: 0, .begun)])
        let (handle, attach) = try sm.attachSender(channel: 0, name: "s", address: "q")
        guard case .sendFrame(let frame)? = attach.first else { return XCTFail() }
        XCTAssertEqual(frame.channel, 0)
        var remote = AMQPAttach(name: "s", handle: 1, role: .receiver)
        remote.target = AMQPTarget(address: "q")
        XCTAssertEqual(sm.receive(.performative(.attach(remote), channel: 5), now: 0), [.session(channel: 0, .linkAttached(handle: handle))])
        let (second, _) = try sm.beginSession()
        XCTAssertEqual(second, 1)
        var closed = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "x"))
        XCTAssertThrowsError(try closed.beginSession()) {
            XCTAssertEqual($0 as? AMQPConnectionError, .notOpen)
        }
    }

    func testLocalCloseWaitsForPeerClose() throws {
        var sm = open()
        _ = try sm.beginSession()
        XCTAssertEqual(sm.close(), [.sendFrame(.performative(.close(AMQPClose())))])
        XCTAssertEqual(sm.state, .closeSent)
        XCTAssertEqual(sm.close(), [])
        XCTAssertEqual(sm.receive(.performative(.close(AMQPClose())), now: 0), [.session(channel: 0, .ended(nil, unsettled: [])), .closed(nil)])
        XCTAssertEqual(sm.state, .closed)
    }

    func testRemoteCloseWithErrorIsAnsweredAndReported() throws {
        var sm = open()
        _ = try sm.beginSession()
        _ = sm.receive(.performative(.begin(AMQPBegin(remoteChannel: 0, nextOutgoingID: 0, incomingWindow: 10, outgoingWindow: 10))), now: 0)
        let (handle, _) = try sm.attachSender(channel: 0, name: "s", address: "q")
        _ = sm.send(channel: 0, handle: handle, token: 42, payload: ByteBuffer())
        let error = AMQPError(condition: AMQPError.connectionForced, description: "broker shutdown")
        XCTAssertEqual(sm.receive(.performative(.close(AMQPClose(error: error))), now: 0),
                       [.sendFrame(.performative(.close(AMQPClose()))), .session(channel: 0, .ended(nil, unsettled: [42])), .closed(.remoteClosed(error))])
    }

    func testProtocolViolationsCloseWithError() {
        var sm = open()
        let actions = sm.receive(.performative(.attach(AMQPAttach(name: "x", handle: 0, role: .sender)), channel: 9), now: 0)
        guard case .sendFrame(let frame)? = actions.first, case .performative(.close(let close), _) = frame.body else { return XCTFail("\(actions)") }
        XCTAssertEqual(close.error?.condition, AMQPError.framingError)
        XCTAssertEqual(actions.last, .closed(.protocolViolation("frame on unmapped channel 9")))

        var early = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(containerID: "p"))
        _ = early.start(now: 0)
        _ = early.receive(.amqp, now: 0)
        XCTAssertEqual(early.receive(.performative(.begin(AMQPBegin(nextOutgoingID: 0, incomingWindow: 1, outgoingWindow: 1))), now: 0).last,
                       .closed(.protocolViolation("begin before open")))
    }

    func testDecodeFailureClosesWithFramingError() {
        var sm = open()
        let actions = sm.decodeFailed(.frameTooLarge(size: 100_000, max: 65_536))
        guard case .sendFrame(let frame)? = actions.first, case .performative(.close(let close), _) = frame.body else { return XCTFail("\(actions)") }
        XCTAssertEqual(close.error?.condition, AMQPError.framingError)
        XCTAssertEqual(actions.last, .closed(.decodeFailed(.frameTooLarge(size: 100_000, max: 65_536))))
        XCTAssertEqual(sm.connectionLost(), [])
    }

    func testConnectionLostFailsEverything() throws {
        var sm = open()
        _ = try sm.beginSession()
        XCTAssertEqual(sm.connectionLost(), [.session(channel: 0, .ended(nil, unsettled: [])), .closed(.connectionLost)])
        XCTAssertEqual(sm.send(channel: 0, handle: 0, token: 1, payload: ByteBuffer()),
                       [.session(channel: 0, .linkDetached(handle: 0, error: nil, unsettled: [1]))])
    }
}
