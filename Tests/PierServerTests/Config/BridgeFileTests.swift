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
