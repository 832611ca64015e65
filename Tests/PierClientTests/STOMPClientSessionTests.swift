import NIOCore
import PierSTOMP
import XCTest
@testable import PierClient

final class STOMPClientSessionTests: XCTestCase {
    private func request(_ action: ClientRequest.Action, qos: UInt8 = 1) -> ClientRequest {
        ClientRequest(host: "h", port: 1, username: "u", password: "p", clientID: "c", destination: "/queue/q", qos: qos,
                      action: action, verbose: false)
    }

    private func sent(_ steps: [ClientStep<STOMPFrame>]) -> [STOMPFrame] {
        steps.compactMap { if case .send(let f) = $0 { return f } else { return nil } }
    }

    private func finished(_ steps: [ClientStep<STOMPFrame>]) -> Result<Void, ClientError>? {
        for case .finish(let r) in steps { return r }
        return nil
    }

    func testPersistentSendsEndWithTheLastReceipt() throws {
        var session = STOMPClientSession(request: request(.publish([ByteBuffer(string: "a"), ByteBuffer(string: "b")], retain: false)))
        let connect = try XCTUnwrap(sent(session.start()).first)
        XCTAssertEqual(connect.command, .connect)
        XCTAssertEqual(connect.header("login"), "u")
        XCTAssertEqual(connect.header("passcode"), "p")
        let sends = sent(session.receive(STOMPFrame(.connected, ["version": "1.2"])))
        XCTAssertEqual(sends.map(\.command), [.send, .send])
        XCTAssertEqual(sends.map { $0.header("persistent") }, ["true", "true"])
        XCTAssertEqual(sends.map { $0.header("receipt") }, ["r-0", "r-1"])
        XCTAssertTrue(session.receive(STOMPFrame(.receipt, ["receipt-id": "r-1"])).isEmpty)
        let last = session.receive(STOMPFrame(.receipt, ["receipt-id": "r-0"]))
        XCTAssertEqual(sent(last).map(\.command), [.disconnect])
        guard case .success = finished(last) else { return XCTFail() }
    }

    func testSubscriberAcknowledgesEachMessageAndStopsAtTheCount() {
        var session = STOMPClientSession(request: request(.subscribe(count: 1)))
        _ = session.start()
        let subscribe = sent(session.receive(STOMPFrame(.connected)))
        XCTAssertEqual(subscribe.first?.header("ack"), "client-individual")
        let steps = session.receive(STOMPFrame(.message, ["destination": "/queue/q", "ack": "42"], body: ByteBuffer(string: "hi")))
        guard case .output(let line) = steps[0] else { return XCTFail() }
        XCTAssertEqual(line, "hi")
        XCTAssertEqual(sent(steps).map(\.command), [.ack, .disconnect])
        XCTAssertEqual(sent(steps).first?.header("id"), "42")
        XCTAssertNotNil(finished(steps))
    }

    func testErrorFrameBecomesTheFailure() {
        var session = STOMPClientSession(request: request(.subscribe(count: nil)))
        guard case .failure(let error)? = finished(session.receive(STOMPFrame(.error, ["message": "Authentication failed"],
                                                                              body: ByteBuffer(string: "bad login\n")))) else {
            return XCTFail()
        }
        XCTAssertEqual(error.description, "Authentication failed: bad login")
    }
}
