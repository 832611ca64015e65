import PierBench
import XCTest

final class ResultReportingTests: XCTestCase {
    func testNumberFormatting() {
        XCTAssertEqual(ResultTable.number(0), "0")
        XCTAssertEqual(ResultTable.number(999), "999")
        XCTAssertEqual(ResultTable.number(1000), "1,000")
        XCTAssertEqual(ResultTable.number(1_234_567), "1,234,567")
        XCTAssertEqual(ResultTable.number(-1234.0), "-1,234")
        XCTAssertEqual(ResultTable.number(12.345, decimals: 1), "12.3")
        XCTAssertEqual(ResultTable.number(0.05, decimals: 2), "0.05")
        XCTAssertEqual(ResultTable.number(1999.96, decimals: 1), "2,000.0")
        XCTAssertEqual(ResultTable.number(.nan), "-")
        XCTAssertEqual(ResultTable.bytes(512), "512 B")
        XCTAssertEqual(ResultTable.bytes(2048), "2.0 KiB")
        XCTAssertEqual(ResultTable.bytes(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB")
    }

    func testTableAlignsNumbersRight() {
        let text = ResultTable.render([["metric", "value"], ["sent", "1,000"], ["scenario", "fan-in"], ["x", "25"]])
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "metric    value")
        XCTAssertEqual(lines[1], "--------  ------")
        XCTAssertEqual(lines[2], "sent       1,000")
        XCTAssertEqual(lines[3], "scenario  fan-in")
        XCTAssertEqual(lines[4], "x             25")
    }

    func testPubSubJSONHasSnakeCaseFieldsAndRoundTrips() throws {
        let r = PubSubResult(command: "pubsub", broker: "127.0.0.1:1883", mqttVersion: "5", topology: "p2p 2 pairs",
                             qos: 1, size: 64, publishers: 2, subscribers: 2, rate: nil, duration: 1, sent: 10,
                             acknowledged: 10, sentPerSecond: 10, expected: 10, received: 9, receivedPerSecond: 9,
                             sentMbPerSecond: 0.00064, receivedMbPerSecond: 0.000576, lost: 1,
                             latencyUs: LatencySummary(count: 9, p50: 10, p99: 20, p999: 30, max: 40, mean: 12))
        let json = r.json()
        for key in ["\"received_per_second\":9", "\"sent_per_second\":10", "\"latency_us\":{", "\"p999\":30",
                    "\"received_mb_per_second\"", "\"lost\":1", "\"mqtt_version\":\"5\""] {
            XCTAssertTrue(json.contains(key), "missing \(key) in \(json)")
        }
        XCTAssertFalse(json.contains("\n"))
        XCTAssertEqual(try BenchJSON.decode(PubSubResult.self, from: json), r)
        XCTAssertTrue(r.table.contains("latency p99.9"))
        XCTAssertTrue(r.table.contains("lost"))
    }

    func testConnResultBytesPerConnectionAndMerge() throws {
        var a = ConnResult(broker: "b", mqttVersion: "3.1.1", requested: 100, established: 100, subscribe: true,
                           rampSeconds: 1, holdSeconds: 5, heldAtEnd: 100)
        a.brokerRssBefore = 10_000_000
        a.brokerRssAfter = 10_200_000
        a.updateBytesPerConnection()
        XCTAssertEqual(a.bytesPerConnection, 2000)
        XCTAssertTrue(a.table.contains("bytes per connection"))
        XCTAssertEqual(try BenchJSON.decode(ConnResult.self, from: a.json()), a)
        XCTAssertTrue(a.json().contains("\"broker_rss_after\":10200000"))

        let b = ConnResult(broker: "b", mqttVersion: "3.1.1", requested: 100, established: 90, failures: 10,
                           subscribe: true, rampSeconds: 2, heldAtEnd: 88, errors: ["refused"])
        let merged = ConnResult.merge([a, b], broker: "b", mqttVersion: "3.1.1", requested: 300, subscribe: true)
        XCTAssertEqual(merged.established, 190)
        XCTAssertEqual(merged.failures, 110)  // the third worker never reported
        XCTAssertEqual(merged.heldAtEnd, 188)
        XCTAssertEqual(merged.rampSeconds, 2)
        XCTAssertEqual(merged.processes, 2)
        XCTAssertEqual(merged.errors, ["refused"])
        XCTAssertNil(merged.bytesPerConnection)
    }

    func testVmRSSParsing() {
        let status = "Name:\tmosquitto\nVmPeak:\t   20000 kB\nVmRSS:\t    8840 kB\nThreads:\t1\n"
        XCTAssertEqual(ProcessMemory.parseVmRSS(status), 8840 * 1024)
        XCTAssertNil(ProcessMemory.parseVmRSS("Name: x\n"))
    }
}
