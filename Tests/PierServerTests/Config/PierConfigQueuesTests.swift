import PierCore
import XCTest

@testable import PierServer

final class PierConfigQueuesTests: XCTestCase {
    func testDefaultsAreActiveMQs() throws {
        let policies = try PierConfig.parse(yaml: "{}").queues.resolved
        let p = policies.policy(for: "anything")
        XCTAssertEqual(p.maxRedeliveries, 6)
        XCTAssertEqual(p.deadLetterQueue, "ActiveMQ.DLQ")
        XCTAssertEqual(p.overflow, .block)
        XCTAssertEqual(p.expiry, .deadLetter)
    }

    func testPoliciesMatchByPatternInOrderAndInheritDefaults() throws {
        let yaml = """
        queues:
          defaults:
            max_redeliveries: 3
            max_messages: 5000
          policies:
            - pattern: orders.>
              dead_letter_queue: DLQ.orders
              overflow: reject
            - pattern: "*.telemetry"
              expired: drop
              max_bytes: 1048576
              overflow: drop-oldest
        """
        let policies = try PierConfig.parse(yaml: yaml).queues.resolved
        let orders = policies.policy(for: "orders.eu.new")
        XCTAssertEqual(orders.deadLetterQueue, "DLQ.orders")
        XCTAssertEqual(orders.overflow, .reject)
        XCTAssertEqual(orders.maxRedeliveries, 3, "inherited from defaults")
        XCTAssertEqual(orders.maxMessages, 5000)
        let telemetry = policies.policy(for: "plant.telemetry")
        XCTAssertEqual(telemetry.expiry, .drop)
        XCTAssertEqual(telemetry.maxBytes, 1 << 20)
        XCTAssertEqual(telemetry.overflow, .dropOldest)
        XCTAssertEqual(policies.policy(for: "jobs").maxRedeliveries, 3)
        XCTAssertEqual(policies.policy(for: "jobs").deadLetterQueue, "ActiveMQ.DLQ")
    }

    func testBadQueueSettingsNameTheirKey() {
        for (yaml, fragment) in [
            ("queues: {defaults: {overflow: sometimes}}", "queues.defaults.overflow"),
            ("queues: {policies: [{pattern: a, colour: red}]}", "colour"),
            ("queues: {defaults: {max_redeliveries: -1}}", "max_redeliveries"),
            ("queues: {defaults: {expired: keep}}", "expired"),
        ] {
            XCTAssertThrowsError(try PierConfig.parse(yaml: yaml), yaml) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(yaml): \(error)")
            }
        }
    }
}

final class PierConfigSTOMPListenerTests: XCTestCase {
    func testSTOMPListenersDefaultToActiveMQsPorts() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - protocol: stomp\n")
        XCTAssertEqual(config.listeners.first?.port, 61613)
        XCTAssertEqual(config.listeners.first?.name, "stomp-61613")
        XCTAssertEqual(PierConfig.ListenerProtocol.stomp.defaultPort(over: .tls), 61614)
    }
}

final class PierConfigOpenWireListenerTests: XCTestCase {
    func testOpenWireListenersDefaultToActiveMQsPorts() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - protocol: openwire\n")
        XCTAssertEqual(config.listeners.first?.protocol, .openwire)
        XCTAssertEqual(config.listeners.first?.port, 61616)
        XCTAssertEqual(config.listeners.first?.name, "openwire-61616")
        let tls = PierConfig.ListenerProtocol.openwire.defaultPort(over: .tls)
        XCTAssertEqual(tls, 61617)
        XCTAssertEqual(config.listeners.first?.maxMessageSize, 10 << 20)
    }

    func testOpenWireMaxMessageSizeIsTheFrameLimitAndStaysRefusedOnPlainMQTT() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - protocol: openwire\n    max_message_size: 65536\n")
        XCTAssertEqual(config.listeners.first?.maxMessageSize, 65536)
        XCTAssertThrowsError(try PierConfig.parse(yaml: "listeners:\n  - protocol: mqtt\n    max_message_size: 65536\n"))
    }

    func testOpenWireOverWebSocketIsRefused() {
        XCTAssertThrowsError(try PierConfig.parse(yaml: "listeners:\n  - protocol: openwire\n    transport: ws\n")) { error in
            XCTAssertTrue("\(error)".contains("openwire needs transport tcp or tls"), "\(error)")
        }
    }
}
