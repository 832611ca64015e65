import NIOHTTP1
import XCTest
@testable import PierClient

final class AdminHTTPRequestTests: XCTestCase {
    func testPathSegmentsAndQueryValuesArePercentEncoded() {
        let r = AdminHTTPRequest(.POST, ["queues", "a/b c%", "move"], query: [("to", "x&y=z"), ("limit", "5")])
        XCTAssertEqual(r.target, "/api/queues/a%2Fb%20c%25/move?to=x%26y%3Dz&limit=5")
        XCTAssertEqual(AdminHTTPRequest(.GET, ["queues", "ActiveMQ.DLQ"]).target, "/api/queues/ActiveMQ.DLQ")
        XCTAssertEqual(AdminHTTPRequest(.GET, ["queues", "ü"]).target, "/api/queues/%C3%BC")
    }

    func testTheHeadCarriesHostBasicCredentialsAndThePrefix() {
        let endpoint = AdminEndpoint(tls: false, host: "127.0.0.1", port: 8161, prefix: "/pier")
        let head = AdminHTTPRequest(.GET, ["broker"]).head(for: endpoint, user: "alice", password: "alice-pw")
        XCTAssertEqual(head.method, .GET)
        XCTAssertEqual(head.uri, "/pier/api/broker")
        XCTAssertEqual(head.headers["Host"], ["127.0.0.1:8161"])
        XCTAssertEqual(head.headers["Authorization"], ["Basic YWxpY2U6YWxpY2UtcHc="])
        XCTAssertEqual(head.headers["Connection"], ["close"])
        XCTAssertEqual(head.headers["Content-Length"], [])
    }

    func testWithoutAUserNoCredentialsAreSentAndBodylessWritesSayLengthZero() {
        let head = AdminHTTPRequest(.DELETE, ["queues", "q", "messages"])
            .head(for: AdminEndpoint(tls: false, host: "h", port: 80), user: nil, password: "ignored")
        XCTAssertEqual(head.headers["Authorization"], [])
        XCTAssertEqual(head.headers["Host"], ["h"])
        XCTAssertEqual(head.headers["Content-Length"], ["0"])
    }
}
