import XCTest

@testable import PierServer

final class PierConfigWebSocketTests: XCTestCase {
    func testWebSocketListenersDefaultToAutoAndTheUsualPorts() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - transport: ws\n")
        let l = try XCTUnwrap(config.listeners.first)
        XCTAssertEqual(l.protocol, .auto)
        XCTAssertEqual(l.port, 8083)
        XCTAssertNil(l.path)
        XCTAssertEqual(l.maxMessageSize, 4 << 20)
        XCTAssertEqual(PierConfig.ListenerProtocol.stomp.defaultPort(over: .wss), 61619)
    }

    func testWebSocketKeys() throws {
        let yaml = """
        listeners:
          - transport: ws
            protocol: mqtt
            path: /mqtt
            allowed_origins: [https://dash.example]
            trust_proxy: true
            max_message_size: 65536
        """
        let l = try XCTUnwrap(try PierConfig.parse(yaml: yaml).listeners.first)
        XCTAssertEqual(l.protocol, .mqtt)
        XCTAssertEqual(l.path, "/mqtt")
        XCTAssertEqual(l.allowedOrigins, ["https://dash.example"])
        XCTAssertTrue(l.trustProxy)
        XCTAssertEqual(l.maxMessageSize, 65536)
    }

    func testMisplacedWebSocketSettingsAreErrorsWithTheirKey() {
        for (yaml, fragment) in [
            ("listeners:\n  - protocol: auto\n", "listeners[0].protocol: auto needs transport ws or wss"),
            ("listeners:\n  - path: /mqtt\n", "listeners[0].path: only allowed with transport ws or wss"),
            ("listeners:\n  - transport: wss\n", "listeners[0].tls: required with transport wss"),
            ("listeners:\n  - transport: ws\n    path: mqtt\n", "listeners[0].path: must start with /"),
            ("listeners:\n  - transport: ws\n    allowed_origins: https://x\n", "listeners[0].allowed_origins"),
        ] {
            XCTAssertThrowsError(try PierConfig.parse(yaml: yaml), yaml) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(yaml): \(error)")
            }
        }
    }
}
