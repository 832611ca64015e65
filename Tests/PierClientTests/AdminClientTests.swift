import NIOHTTP1
import XCTest
@testable import PierClient

final class AdminClientTests: XCTestCase {
    func testARefusedConnectionIsUnreachableWithTheSystemsWords() {
        // Port 1 (tcpmux) has no listener on a test machine, so the kernel refuses at once.
        let endpoint = AdminEndpoint(tls: false, host: "127.0.0.1", port: 1)
        XCTAssertThrowsError(try AdminClient.send([AdminHTTPRequest(.GET, ["broker"])], to: endpoint, user: nil, password: nil, caFile: nil)) {
            let failure = $0 as? AdminFailure
            XCTAssertEqual(failure?.exitCode, 3)
            XCTAssertEqual(failure?.description, "cannot connect to the admin API at http://127.0.0.1:1: Connection refused")
        }
    }

    func testACAFileWithPlainHTTPIsAUsageError() {
        XCTAssertThrowsError(try AdminClient.send([], to: AdminEndpoint(tls: false, host: "h", port: 80), user: nil, password: nil,
                                                  caFile: "/ca.pem")) {
            XCTAssertEqual(($0 as? AdminFailure)?.exitCode, 64)
        }
    }
}
