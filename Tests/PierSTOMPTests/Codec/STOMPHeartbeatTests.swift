import XCTest
@testable import PierSTOMP

final class STOMPHeartbeatTests: XCTestCase {
    func testParsing() throws {
        XCTAssertEqual(try STOMPHeartbeat(parsing: "0,0"), .none)
        XCTAssertEqual(try STOMPHeartbeat(parsing: "10000,5000"), STOMPHeartbeat(outgoing: 10000, incoming: 5000))
        XCTAssertEqual(try STOMPHeartbeat(parsing: " 100 , 200 "), STOMPHeartbeat(outgoing: 100, incoming: 200))
        XCTAssertEqual(try STOMPHeartbeat(parsing: "2147483647,0").outgoing, 2_147_483_647)
        XCTAssertEqual(STOMPHeartbeat(outgoing: 1, incoming: 2).headerValue, "1,2")
    }

    func testMalformedValues() {
        for bad in ["", "1", "1,", ",1", "1,2,3", "-1,0", "+1,0", "a,b", "1.5,2", "1;2", "2147483648,0",
                    "99999999999,1", "1 0,0"] {
            XCTAssertThrowsError(try STOMPHeartbeat(parsing: bad), bad) { error in
                XCTAssertEqual(error as? STOMPDecodeError, .invalidHeartbeat(bad))
            }
        }
    }

    func testNegotiation() {
        let h = STOMPHeartbeat.init(outgoing:incoming:)
        // Server 0,6000 sends none; client 4000,0 sends, at the server's slower wish.
        var r = STOMPHeartbeat.negotiate(local: h(0, 6000), remote: h(4000, 0))
        XCTAssertEqual(r.send, 0)
        XCTAssertEqual(r.receive, 6000, "larger of the client's cx and the server's cy")
        // Both directions at the larger of what can be sent and what is wanted.
        r = STOMPHeartbeat.negotiate(local: h(10000, 10000), remote: h(5000, 20000))
        XCTAssertEqual(r.send, 20000)
        XCTAssertEqual(r.receive, 10000)
        // Either side's zero switches a direction off.
        r = STOMPHeartbeat.negotiate(local: h(1000, 0), remote: h(1000, 1000))
        XCTAssertEqual(r.send, 1000)
        XCTAssertEqual(r.receive, 0)
        r = STOMPHeartbeat.negotiate(local: h(1000, 1000), remote: .none)
        XCTAssertEqual(r.send, 0)
        XCTAssertEqual(r.receive, 0)
        // Symmetric: what one side sends is what the other receives.
        let a = h(300, 700), b = h(900, 100)
        XCTAssertEqual(STOMPHeartbeat.negotiate(local: a, remote: b).send, STOMPHeartbeat.negotiate(local: b, remote: a).receive)
        XCTAssertEqual(STOMPHeartbeat.negotiate(local: a, remote: b).receive, STOMPHeartbeat.negotiate(local: b, remote: a).send)
    }
}
