import XCTest

@testable import PierServer

final class HTTPConfigTests: XCTestCase {
    private func assertError(_ yaml: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let config = try PierConfig.parse(yaml: yaml)
            XCTFail("expected \(message.debugDescription), parsed \(config)", file: file, line: line)
        } catch {
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testNoHTTPListenerUnlessConfigured() throws {
        XCTAssertNil(try PierConfig.parse(yaml: "data_dir: /tmp/x").http)
        XCTAssertNil(PierConfig.default.http)
    }

    func testEmptySectionMeansLoopbackOnActiveMQsConsolePortWithoutAnonymousAccess() throws {
        let http = try XCTUnwrap(try PierConfig.parse(yaml: "http: {}").http)
        XCTAssertEqual(http, PierConfig.HTTP(bind: "127.0.0.1", port: 8161, allowAnonymous: false, tls: nil))
    }

    func testAllKeys() throws {
        let http = try XCTUnwrap(try PierConfig.parse(yaml: """
            http:
              bind: 0.0.0.0
              port: 8443
              allow_anonymous: true
              tls:
                cert_file: /etc/pier/server.pem
                key_file: /etc/pier/server.key
            """).http)
        XCTAssertEqual(http.bind, "0.0.0.0")
        XCTAssertEqual(http.port, 8443)
        XCTAssertTrue(http.allowAnonymous)
        XCTAssertEqual(http.tls, PierConfig.ListenerTLS(certFile: "/etc/pier/server.pem", keyFile: "/etc/pier/server.key"))
    }

    func testBadValuesNameTheirKey() {
        assertError("http:\n  port: 0\n", "http.port: must be at least 1")
        assertError("http:\n  bind: 'a b'\n", "http.bind: expected an IP address or host name, got \"a b\"")
        assertError("http:\n  tls:\n    cert_file: x\n", "http.tls.key_file: required")
        assertError("http:\n  console: true\n", "http.console: unknown key")
    }

    func testTheHTTPPortMayNotClashWithAListener() {
        assertError("""
            listeners:
              - port: 8161
            http: {}
            """, "http.port: 127.0.0.1:8161 conflicts with listeners[0] (127.0.0.1:8161)")
    }
}
