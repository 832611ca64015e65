import ArgumentParser
import PierBench
import PierCore
import PierMQTT
import XCTest

@testable import pier

final class BenchArgumentTests: XCTestCase {
    func testPubSubDefaults() throws {
        let cmd = try BenchCommand.PubSub.parse([])
        let target = try cmd.target.target()
        XCTAssertEqual(target.host, "127.0.0.1")
        XCTAssertEqual(target.port, 1883)
        XCTAssertEqual(target.version, .v3_1_1)
        let config = try cmd.scenario.config(side: .pubsub)
        XCTAssertEqual(config.qos, .atMostOnce)
        XCTAssertNil(config.rate)
        XCTAssertEqual(config.size, 64)
        XCTAssertEqual(config.inflight, 100)
    }

    func testPubSubPairsQoS1Version5() throws {
        let cmd = try BenchCommand.PubSub.parse(["--pairs", "1000", "--qos", "1", "--mqtt-version", "5", "--size", "256",
                                                 "--rate", "500", "--duration", "3", "--json", "-p", "1999"])
        let target = try cmd.target.target()
        XCTAssertEqual(target.version, .v5)
        XCTAssertEqual(target.port, 1999)
        XCTAssertTrue(cmd.target.json)
        let config = try cmd.scenario.config(side: .pubsub)
        XCTAssertEqual(config.pairs, 1000)
        XCTAssertEqual(config.publisherCount, 1000)
        XCTAssertEqual(config.subscriberCount, 1000)
        XCTAssertEqual(config.qos, .atLeastOnce)
        XCTAssertEqual(config.rate, 500)
        XCTAssertEqual(config.duration, 3)
    }

    func testInvalidCombinationsAreRejected() {
        let invalid: [[String]] = [
            ["--pairs", "10", "--publishers", "5"],
            ["--pairs", "10", "--subscribers", "5"],
            ["--qos", "3"],
            ["--qos", "-1"],
            ["--size", "8"],
            ["--rate", "fast"],
            ["--rate", "-5"],
            ["--duration", "0"],
            ["--inflight", "0"],
            ["--mqtt-version", "4.0"],
            ["--port", "70000"],
            ["--publishers", "0"],
            ["--topic-prefix", "a/#"],
            ["--source-addresses", "300"],
        ]
        for args in invalid {
            XCTAssertThrowsError(try BenchCommand.PubSub.parse(args), "accepted \(args)")
        }
    }

    func testSubNeedsNoPublishersAndPubNoSubscribers() throws {
        XCTAssertNoThrow(try BenchCommand.Sub.parse(["--publishers", "0"]))
        XCTAssertNoThrow(try BenchCommand.Pub.parse(["--subscribers", "0"]))
        XCTAssertThrowsError(try BenchCommand.PubSub.parse(["--subscribers", "0"]))
    }

    func testRateMax() throws {
        for text in ["max", "MAX", "0"] {
            let cmd = try BenchCommand.Pub.parse(["--rate", text])
            XCTAssertNil(try cmd.scenario.config(side: .pub).rate)
        }
    }

    func testConnOptions() throws {
        let cmd = try BenchCommand.Conn.parse(["-c", "19000", "--rate", "2000", "--subscribe", "--hold", "10",
                                               "--broker-pid", "42", "--source-addresses", "8"])
        let config = try cmd.config()
        XCTAssertEqual(config.connections, 19000)
        XCTAssertEqual(config.rate, 2000)
        XCTAssertTrue(config.subscribe)
        XCTAssertEqual(config.brokerPID, 42)
        XCTAssertNil(config.processes)
        XCTAssertEqual(try cmd.target.target().sourceAddress(forConnection: 9), "127.0.0.2")
    }

    func testConnInvalid() {
        for args in [["-c", "0"], ["--rate", "0"], ["--hold", "-1"], ["--processes", "0"], ["--broker-pid", "-3"],
                     ["--keepalive", "0"]] {
            XCTAssertThrowsError(try BenchCommand.Conn.parse(args), "accepted \(args)")
        }
    }

    func testWorkerArgumentsParseBackToTheSameScenario() throws {
        let target = BenchTarget(port: 2883, version: .v5, keepAlive: 30, sourceAddresses: 8, clientIDPrefix: "x")
        let config = ConnConfig(connections: 40_000, rate: 4000, subscribe: true, hold: 7)
        let parts = config.split(into: 3)
        let args = ConnRunner.workerArguments(target: target, config: config, first: parts[1].first,
                                              connections: parts[1].connections, workers: 3)
        XCTAssertEqual(Array(args.prefix(2)), ["bench", "conn"])
        let cmd = try BenchCommand.Conn.parse(Array(args.dropFirst(2)))
        XCTAssertTrue(cmd.worker)
        XCTAssertTrue(cmd.target.json)
        let parsedTarget = try cmd.target.target()
        XCTAssertEqual(parsedTarget.port, 2883)
        XCTAssertEqual(parsedTarget.version, .v5)
        XCTAssertEqual(parsedTarget.keepAlive, 30)
        XCTAssertEqual(parsedTarget.sourceAddresses, 8)
        XCTAssertEqual(parsedTarget.eventLoopThreads, 1)
        let parsed = try cmd.config()
        XCTAssertEqual(parsed.connections, parts[1].connections)
        XCTAssertEqual(parsed.firstIndex, parts[1].first)
        XCTAssertEqual(parsed.rate, 4000.0 / 3, accuracy: 0.001)
        XCTAssertTrue(parsed.subscribe)
        XCTAssertEqual(parsed.processes, 1)
        XCTAssertNil(parsed.brokerPID)
    }
}
