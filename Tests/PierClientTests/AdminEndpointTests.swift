import XCTest
@testable import PierClient

final class AdminEndpointTests: XCTestCase {
    func testTheDefaultURLIsPlainHTTPOnLocalhost() throws {
        XCTAssertEqual(try AdminEndpoint(url: AdminEndpoint.defaultURL), AdminEndpoint(tls: false, host: "127.0.0.1", port: 8161))
    }

    func testHTTPSWithAPrefixAndTheSchemesPort() throws {
        let e = try AdminEndpoint(url: "https://broker.example/pier/")
        XCTAssertEqual(e, AdminEndpoint(tls: true, host: "broker.example", port: 443, prefix: "/pier"))
        XCTAssertEqual(e.hostHeader, "broker.example")
        XCTAssertEqual(e.url, "https://broker.example/pier")
        XCTAssertEqual(try AdminEndpoint(url: "http://h").port, 80)
    }

    func testABareHostAndPortMeansHTTP() throws {
        XCTAssertEqual(try AdminEndpoint(url: "10.0.0.5:9000"), AdminEndpoint(tls: false, host: "10.0.0.5", port: 9000))
    }

    func testIPv6LiteralsKeepTheirBracketsOnlyInTheHostHeader() throws {
        let e = try AdminEndpoint(url: "http://[::1]:8161")
        XCTAssertEqual(e.host, "::1")
        XCTAssertEqual(e.port, 8161)
        XCTAssertEqual(e.hostHeader, "[::1]:8161")
    }

    func testBadURLsAreUsageErrors() {
        for url in ["ftp://h", "http://:8161", "http://h:0", "http://h:99999", "http://h:x", "http://u:p@h", "http://h/a?b", "http://[::1"] {
            XCTAssertThrowsError(try AdminEndpoint(url: url), url) { error in
                XCTAssertEqual((error as? AdminFailure)?.exitCode, 64, url)
            }
        }
    }
}
