import XCTest

@testable import PierServer

final class ListenerTLSConfigTests: XCTestCase {
    private func assertError(_ yaml: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let config = try PierConfig.parse(yaml: yaml)
            XCTFail("expected \(message.debugDescription), parsed \(config)", file: file, line: line)
        } catch {
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testBlockForm() throws {
        let config = try PierConfig.parse(yaml: """
            listeners:
              - port: 1883
              - transport: tls
                tls:
                  cert_file: /etc/pier/server.pem
                  key_file: /etc/pier/server.key
                  ca_file: /etc/pier/ca.pem
                  require_client_cert: true
            """)
        XCTAssertEqual(config.listeners[0].transport, .tcp)
        XCTAssertNil(config.listeners[0].tls)
        let listener = config.listeners[1]
        XCTAssertEqual(listener.transport, .tls)
        XCTAssertEqual(listener.port, 8883, "mosquitto's MQTT-over-TLS port is the default")
        XCTAssertEqual(listener.name, "mqtt-8883")
        XCTAssertEqual(listener.tls, PierConfig.ListenerTLS(
            certFile: "/etc/pier/server.pem", keyFile: "/etc/pier/server.key", caFile: "/etc/pier/ca.pem", requireClientCert: true))
    }

    func testFlowFormWithDefaults() throws {
        let config = try PierConfig.parse(yaml: """
            listeners:
              - {transport: tls, port: 9883, tls: {cert_file: s.pem, key_file: s.key}}
            """)
        XCTAssertEqual(config.listeners.map(\.port), [9883])
        XCTAssertEqual(config.listeners[0].tls, PierConfig.ListenerTLS(certFile: "s.pem", keyFile: "s.key"))
        XCTAssertNil(config.listeners[0].tls?.caFile)
        XCTAssertEqual(config.listeners[0].tls?.requireClientCert, false)
    }

    func testCAFileWithoutRequiringClientCertificates() throws {
        let config = try PierConfig.parse(yaml: """
            listeners:
              - {transport: tls, tls: {cert_file: s.pem, key_file: s.key, ca_file: ca.pem}}
            """)
        XCTAssertEqual(config.listeners[0].tls?.caFile, "ca.pem")
        XCTAssertEqual(config.listeners[0].tls?.requireClientCert, false)
    }

    func testTLSTransportNeedsTLSMapping() {
        assertError("listeners:\n  - transport: tls\n",
                    "listeners[0].tls: required with transport tls (cert_file and key_file)")
        assertError("listeners:\n  - transport: tls\n    tls:\n",
                    "listeners[0].tls: required with transport tls (cert_file and key_file)")
    }

    func testTLSMappingOnlyWithTLSTransport() {
        assertError("listeners:\n  - tls: {cert_file: s.pem, key_file: s.key}\n",
                    "listeners[0].tls: only allowed with transport tls or wss")
    }

    func testMissingCertFile() {
        assertError("listeners:\n  - {transport: tls, tls: {key_file: s.key}}\n", "listeners[0].tls.cert_file: required")
    }

    func testMissingKeyFile() {
        assertError("listeners:\n  - port: 1\n  - {transport: tls, tls: {cert_file: s.pem}}\n",
                    "listeners[1].tls.key_file: required")
    }

    func testEmptyPath() {
        assertError("listeners:\n  - {transport: tls, tls: {cert_file: '', key_file: s.key}}\n",
                    "listeners[0].tls.cert_file: must not be empty")
    }

    func testUnknownKey() {
        assertError("listeners:\n  - {transport: tls, tls: {cert_file: s.pem, key_file: s.key, cafile: ca.pem}}\n",
                    "listeners[0].tls.cafile: unknown key")
    }

    func testRequireClientCertNeedsCAFile() {
        assertError("listeners:\n  - {transport: tls, tls: {cert_file: s.pem, key_file: s.key, require_client_cert: true}}\n",
                    "listeners[0].tls.require_client_cert: needs ca_file, the roots client certificates are checked against")
    }

    func testRequireClientCertMustBeBool() {
        assertError("listeners:\n  - {transport: tls, tls: {cert_file: s.pem, key_file: s.key, require_client_cert: yes please}}\n",
                    #"listeners[0].tls.require_client_cert: expected true or false, got "yes please""#)
    }

    func testTLSMustBeAMapping() {
        assertError("listeners:\n  - {transport: tls, tls: s.pem}\n",
                    #"listeners[0].tls: expected a mapping, got "s.pem""#)
    }

    /// The files are read at startup: a missing one stops the broker with the key that names it.
    func testUnreadableFilesNameTheirKeyAtStartup() throws {
        let missing = "/nonexistent/pier-\(UUID().uuidString)"
        let config = try PierConfig.parse(yaml: """
            listeners:
              - port: 1
              - {transport: tls, port: 2, tls: {cert_file: \(missing)/server.pem, key_file: \(missing)/server.key}}
            """)
        XCTAssertThrowsError(try BrokerServer(config: config)) { error in
            guard let error = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.keyPath, "listeners[1].tls.cert_file")
            XCTAssertTrue("\(error)".hasPrefix("listeners[1].tls.cert_file: cannot read certificate file \(missing)/server.pem: "),
                          "\(error)")
        }
    }
}
