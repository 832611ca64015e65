import PierBench
import PierCore
import XCTest

final class ScenarioConfigTests: XCTestCase {
    func testFanInTopology() throws {
        let c = PubSubConfig(publishers: 10, subscribers: 1)
        try c.validate()
        XCTAssertEqual(c.topology, "fan-in 10→1")
        XCTAssertEqual(c.fanOut, 1)
        XCTAssertEqual(Set((0..<10).map(c.topic(forPublisher:))), [c.filter(forSubscriber: 0)])
    }

    func testFanOutTopology() throws {
        let c = PubSubConfig(publishers: 1, subscribers: 1000)
        try c.validate()
        XCTAssertEqual(c.topology, "fan-out 1→1000")
        XCTAssertEqual(c.fanOut, 1000)
        XCTAssertEqual(c.subscriberCount, 1000)
    }

    func testPairsGiveEachPairItsOwnTopic() throws {
        let c = PubSubConfig(pairs: 1000)
        try c.validate()
        XCTAssertEqual(c.topology, "p2p 1000 pairs")
        XCTAssertEqual(c.fanOut, 1)
        let topics = (0..<1000).map(c.topic(forPublisher:))
        XCTAssertEqual(Set(topics).count, 1000)
        for i in [0, 17, 999] { XCTAssertEqual(c.topic(forPublisher: i), c.filter(forSubscriber: i)) }
    }

    func testSizeBelowStampIsRejected() {
        XCTAssertThrowsError(try PubSubConfig(size: 15).validate())
        XCTAssertNoThrow(try PubSubConfig(size: 16).validate())
    }

    func testParseRate() {
        XCTAssertEqual(PubSubConfig.parseRate("max"), .some(nil))
        XCTAssertEqual(PubSubConfig.parseRate("2500"), .some(2500))
        XCTAssertEqual(PubSubConfig.parseRate("0.5"), .some(0.5))
        XCTAssertTrue(PubSubConfig.parseRate("-1") == nil)
        XCTAssertTrue(PubSubConfig.parseRate("x") == nil)
    }

    func testParseVersion() {
        XCTAssertEqual(BenchTarget.parseVersion("3.1.1"), .v3_1_1)
        XCTAssertEqual(BenchTarget.parseVersion("5"), .v5)
        XCTAssertEqual(BenchTarget.parseVersion("5.0"), .v5)
        XCTAssertNil(BenchTarget.parseVersion("3.1"))
    }

    func testSourceAddressesRoundRobin() {
        let t = BenchTarget(sourceAddresses: 8)
        XCTAssertEqual((0..<9).map { t.sourceAddress(forConnection: $0)! },
                       (1...8).map { "127.0.0.\($0)" } + ["127.0.0.1"])
        XCTAssertNil(BenchTarget(sourceAddresses: 0).sourceAddress(forConnection: 3))
    }

    func testProcessCountFollowsFdLimit() {
        XCTAssertEqual(ConnConfig(connections: 19_000).processCount(fdLimit: 20_000), 1)
        XCTAssertEqual(ConnConfig(connections: 19_800).processCount(fdLimit: 20_000), 2)
        XCTAssertEqual(ConnConfig(connections: 100_000).processCount(fdLimit: 20_000), 6)
        XCTAssertEqual(ConnConfig(connections: 10, processes: 4).processCount(fdLimit: 20_000), 4)
    }

    func testSplitCoversEveryConnectionOnce() {
        let c = ConnConfig(connections: 10, firstIndex: 100)
        let parts = c.split(into: 3)
        XCTAssertEqual(parts.map(\.connections), [4, 3, 3])
        XCTAssertEqual(parts.map(\.first), [100, 104, 107])
    }
}
