@testable import PierServer
import XCTest

final class PierConfigAMQPListenerTests: XCTestCase {
    func testAMQPListenersDefaultToIANAsPorts() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - protocol: amqp\n")
        XCTAssertEqual(config.listeners.first?.protocol, .amqp)
        XCTAssertEqual(config.listeners.first?.port, 5672)
        XCTAssertEqual(config.listeners.first?.name, "amqp-5672")
        XCTAssertEqual(PierConfig.ListenerProtocol.amqp.defaultPort(over: .tls), 5671)
        XCTAssertEqual(config.listeners.first?.maxMessageSize, 10 << 20)
    }

    func testAMQPMaxMessageSizeIsAccepted() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - protocol: amqp\n    max_message_size: 65536\n")
        XCTAssertEqual(config.listeners.first?.maxMessageSize, 65536)
    }

    func testAMQPOverWebSocketIsRefused() {
        XCTAssertThrowsError(try PierConfig.parse(yaml: "listeners:\n  - protocol: amqp\n    transport: ws\n")) { error in
            XCTAssertTrue("\(error)".contains("amqp needs transport tcp or tls"), "\(error)")
        }
    }
}
