import Foundation
import PierBridge
import PierCore
import XCTest
@testable import PierServer

final class BridgeFileTests: XCTestCase {
    private static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("bridge-config")

    func testEveryExampleLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for file in files {
            let config = try BridgeFile.load(path: Self.examples.appendingPathComponent(file).path)
            XCTAssertFalse(config.uplink.addresses.isEmpty, file)
            XCTAssertFalse(config.forward.isEmpty, file)
        }
    }

    func testFailoverExampleMeansWhatItSays() throws {
        let c = try BridgeFile.load(path: Self.examples.appendingPathComponent("cloud-failover.yaml").path)
        XCTAssertEqual(c.name, "cloud")
        XCTAssertEqual(c.uplink.addresses, [.init(host: "127.0.0.1", port: 5672), .init(host: "127.0.0.1", port: 5673)])
        XCTAssertEqual(c.uplink.failbackAfterSeconds, 60)
        XCTAssertEqual(c.uplink.jitter, 0.2, accuracy: 1e-9)
        XCTAssertEqual(c.forward[0], .init(filter: "sensors/+/temp", address: "telemetry.{1}.temp"))
        XCTAssertEqual(c.forward[1].qos, .atLeastOnce)
        XCTAssertFalse(c.forward[1].retained)
        XCTAssertEqual(c.downstream, [.init(address: "commands.gateway-1", topic: "devices/{subject}/cmd", qos: .atLeastOnce)])
        XCTAssertEqual(c.buffer.overflow, .dropOldest)
        XCTAssertEqual(c.drainRate, 5000)
        XCTAssertEqual(c.deadLetterTopic, "$SYS/broker/bridge/cloud/dead-letter")
    }

    func testAmazonMQTLSExampleMeansWhatItSays() throws {
        let c = try BridgeFile.load(path: Self.examples.appendingPathComponent("amazon-mq-tls.yaml").path)
        XCTAssertEqual(c.uplink.addresses.map(\.port), [5671, 5671])
        XCTAssertEqual(c.uplink.addresses.count, 2)
        let tls = try XCTUnwrap(c.uplink.tls)
        XCTAssertTrue(tls.verify)
        XCTAssertNotNil(tls.caFile)
        XCTAssertNil(tls.certificateFile)
        XCTAssertNil(tls.privateKeyFile)
    }

    func testPierCloudPairExampleMeansWhatItSays() throws {
        let c = try BridgeFile.load(path: Self.examples.appendingPathComponent("pier-cloud-pair.yaml").path)
        XCTAssertEqual(c.name, "cloud-pair")
        XCTAssertEqual(c.uplink.addresses, [.init(host: "cloud-a.example.net", port: 5671), .init(host: "cloud-b.example.net", port: 5671)])
        XCTAssertEqual(c.uplink.username, "gateway-7")
        XCTAssertEqual(c.uplink.containerID, "gateway-7")
        let tls = try XCTUnwrap(c.uplink.tls)
        XCTAssertEqual(tls, BridgeConfiguration.TLS(caFile: "/etc/pier/cloud-ca.pem", verify: true), "CA pinned, names checked per node")
        XCTAssertEqual(c.uplink.failbackAfterSeconds, 300)
        XCTAssertEqual(c.forward[0], .init(filter: "sensors/+/temp", address: "topic://telemetry.gateway-7.{1}.temp"))
        XCTAssertEqual(c.forward[1].address, "queue://alarms.gateway-7.{#}")
        XCTAssertEqual(c.forward[1].qos, .atLeastOnce)
        XCTAssertFalse(c.forward[1].retained)
        XCTAssertEqual(c.downstream, [.init(address: "queue://commands.gateway-7", topic: "devices/{subject}/cmd", qos: .atLeastOnce)])
        XCTAssertEqual(c.buffer.overflow, .blockPublishers)
        XCTAssertEqual(c.drainRate, 5000)
    }

    private let uplinkPrefix = "name: x\nuplink:\n  addresses: [broker.example.com:5671]\n"

    func testTLSAsABoolean() throws {
        XCTAssertNil(try parse("name: x\nuplink: {addresses: [h:1]}\n").uplink.tls, "plain by default")
        XCTAssertNil(try parse(uplinkPrefix + "  tls: false\n").uplink.tls)
        XCTAssertNil(try parse(uplinkPrefix + "  tls:\n").uplink.tls)
        let on = try parse(uplinkPrefix + "  tls: true\n").uplink.tls
        XCTAssertEqual(on, BridgeConfiguration.TLS(), "system trust store, verification on")
        XCTAssertEqual(on?.verify, true)
        XCTAssertNil(on?.caFile)
    }

    func testTLSAsAMapping() throws {
        let c = try parse(uplinkPrefix + """
              tls:
                ca_file: /etc/pier/upstream-ca.pem
                cert_file: /etc/pier/gateway.crt
                key_file: /etc/pier/gateway.key
                verify: true
                server_name: broker.example.com

            """)
        XCTAssertEqual(c.uplink.tls, BridgeConfiguration.TLS(caFile: "/etc/pier/upstream-ca.pem", certificateFile: "/etc/pier/gateway.crt",
                                                            privateKeyFile: "/etc/pier/gateway.key", verify: true,
                                                            serverName: "broker.example.com"))
        XCTAssertEqual(try parse(uplinkPrefix + "  tls: {}\n").uplink.tls, BridgeConfiguration.TLS())
        XCTAssertEqual(try parse(uplinkPrefix + "  tls: {verify: false}\n").uplink.tls, BridgeConfiguration.TLS(verify: false))
        XCTAssertEqual(try parse(uplinkPrefix + "  tls: {ca_file: ca.pem}\n").uplink.tls?.caFile, "ca.pem")
    }

    func testTLSErrorsNameTheKey() {
        assertError(uplinkPrefix + "  tls: {ca_fle: x}\n", "uplink.tls.ca_fle: unknown key")
        assertError(uplinkPrefix + "  tls: yes please\n", "uplink.tls: expected true, false or a mapping")
        assertError(uplinkPrefix + "  tls: [a]\n", "uplink.tls: expected true, false or a mapping")
        assertError(uplinkPrefix + "  tls: {verify: maybe}\n", "uplink.tls.verify: expected true or false")
        assertError(uplinkPrefix + "  tls: {ca_file: ''}\n", "uplink.tls.ca_file: must not be empty")
        assertError(uplinkPrefix + "  tls: {ca_file: [a]}\n", "uplink.tls.ca_file: expected a string, got a list")
        assertError(uplinkPrefix + "  tls: {cert_file: a.crt}\n", "uplink.tls.key_file: missing")
        assertError(uplinkPrefix + "  tls: {key_file: a.key}\n", "uplink.tls.cert_file: missing")
        assertError(uplinkPrefix + "  tls: {server_name: 10.0.0.7}\n", "uplink.tls.server_name: expected a host name, got the IP address")
        assertError(uplinkPrefix + "  tls: {server_name: 'a b'}\n", "uplink.tls.server_name: expected a host name")
    }

    private func parse(_ yaml: String) throws -> BridgeConfiguration {
        let path = NSTemporaryDirectory() + "bridge-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try BridgeFile.load(path: path)
    }

    private func assertError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error) does not mention \(expected)", file: file, line: line)
        }
    }

    func testErrorsNameTheKey() {
        assertError("uplink: {addresses: [a:1]}\n", "name: expected a bridge name")
        assertError("name: x\n", "uplink: missing")
        assertError("name: x\nuplink: {addresses: []}\n", "uplink.addresses: expected at least one host:port")
        assertError("name: x\nuplink: {addresses: [nohost]}\n", "uplink.addresses[0]: expected host:port")
        assertError("name: x\nuplink: {addresses: [h:1]}\nforward: [{filter: 'a/#/b', address: x}]\n", "forward[0].filter")
        assertError("name: x\nuplink: {addresses: [h:1]}\nbuffer: {overflow: drop-all}\n", "buffer.overflow: unknown value")
        assertError("name: x\nuplink: {addresses: [h:1]}\nwindoww: 3\n", "windoww: unknown key")
    }
}
