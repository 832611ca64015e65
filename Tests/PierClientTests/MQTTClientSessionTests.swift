import NIOCore
import PierCore
import PierMQTT
import XCTest
@testable import PierClient

final class MQTTClientSessionTests: XCTestCase {
    private func request(_ action: ClientRequest.Action, qos: UInt8 = 1, verbose: Bool = false) -> ClientRequest {
        ClientRequest(host: "h", port: 1, username: "u", password: "p", clientID: "c", destination: "a/b", qos: qos,
                      action: action, verbose: verbose)
    }

    private func sent(_ steps: [ClientStep<MQTTPacket>]) -> [MQTTPacket] {
        steps.compactMap { if case .send(let p) = $0 { return p } else { return nil } }
    }

    private func finished(_ steps: [ClientStep<MQTTPacket>]) -> Result<Void, ClientError>? {
        for case .finish(let r) in steps { return r }
        return nil
    }

    func testPublishWaitsForEveryAcknowledgement() throws {
        var session = MQTTClientSession(request: request(.publish([ByteBuffer(string: "x"), ByteBuffer(string: "y")], retain: true)))
        guard case .connect(let connect) = try XCTUnwrap(sent(session.start()).first) else { return XCTFail() }
        XCTAssertEqual(connect.username, "u")
        XCTAssertEqual(connect.password, Array("p".utf8))
        let publishes = sent(session.receive(.connack(MQTTConnAck())))
        XCTAssertEqual(publishes.count, 2)
        guard case .publish(let first) = publishes[0] else { return XCTFail() }
        XCTAssertEqual(first.qos, .atLeastOnce)
        XCTAssertTrue(first.retain)
        XCTAssertEqual(first.packetID, 1)
        XCTAssertTrue(session.receive(.puback(MQTTPubAck(packetID: 1))).isEmpty)
        let last = session.receive(.puback(MQTTPubAck(packetID: 2)))
        XCTAssertEqual(sent(last), [.disconnect(MQTTDisconnect())])
        guard case .success = finished(last) else { return XCTFail("not finished") }
    }

    func testQoS2PublishReleasesThenCompletes() {
        var session = MQTTClientSession(request: request(.publish([ByteBuffer(string: "x")], retain: false), qos: 2))
        _ = session.start()
        _ = session.receive(.connack(MQTTConnAck()))
        XCTAssertEqual(sent(session.receive(.pubrec(MQTTPubAck(packetID: 1)))), [.pubrel(MQTTPubAck(packetID: 1))])
        XCTAssertNotNil(finished(session.receive(.pubcomp(MQTTPubAck(packetID: 1)))))
    }

    func testQoS0PublishDisconnectsAtOnce() {
        var session = MQTTClientSession(request: request(.publish([ByteBuffer(string: "x")], retain: false), qos: 0))
        _ = session.start()
        let steps = session.receive(.connack(MQTTConnAck()))
        XCTAssertEqual(sent(steps).count, 2)
        XCTAssertNotNil(finished(steps))
    }

    func testRefusalsCarryTheReasonCodeAndString() {
        var session = MQTTClientSession(request: request(.subscribe(count: nil)))
        var props = MQTTProperties()
        props.reasonString = "bad password"
        guard case .failure(let error)? = finished(session.receive(.connack(MQTTConnAck(reasonCode: MQTTReasonCode(0x86), properties: props)))) else {
            return XCTFail()
        }
        XCTAssertEqual(error.description, "connection refused: 0x86 (bad password)")
        _ = session.receive(.connack(MQTTConnAck()))
        guard case .failure(let sub)? = finished(session.receive(.suback(MQTTSubAck(packetID: 1, reasonCodes: [MQTTReasonCode(0x87)])))) else {
            return XCTFail()
        }
        XCTAssertEqual(sub.description, "subscription refused: 0x87")
    }

    func testSubscriberPrintsAcknowledgesAndStopsAtTheCount() {
        var session = MQTTClientSession(request: request(.subscribe(count: 2), qos: 2, verbose: true))
        _ = session.start()
        XCTAssertEqual(sent(session.receive(.connack(MQTTConnAck()))),
                       [.subscribe(MQTTSubscribe(packetID: 1, subscriptions: [MQTTSubscription(filter: "a/b", qos: .exactlyOnce)]))])
        let one = session.receive(.publish(MQTTPublish(topic: "a/b", payload: ByteBuffer(string: "m1"), qos: .exactlyOnce, packetID: 7)))
        guard case .output(let line) = one[0] else { return XCTFail() }
        XCTAssertEqual(line, "a/b m1")
        XCTAssertEqual(sent(one), [.pubrec(MQTTPubAck(packetID: 7))])
        XCTAssertNil(finished(one))
        XCTAssertEqual(sent(session.receive(.pubrel(MQTTPubAck(packetID: 7)))), [.pubcomp(MQTTPubAck(packetID: 7))])
        let two = session.receive(.publish(MQTTPublish(topic: "a/b", payload: ByteBuffer(string: "m2"), qos: .atLeastOnce, packetID: 8)))
        XCTAssertEqual(sent(two), [.puback(MQTTPubAck(packetID: 8)), .disconnect(MQTTDisconnect())])
        XCTAssertNotNil(finished(two))
    }
}
