import NIOCore
import PierCore
import XCTest
@testable import PierBridge

final class BridgeTapTests: XCTestCase {
    private func config(_ overflow: BridgeConfiguration.OverflowPolicy, max: Int = 2) -> BridgeConfiguration {
        BridgeConfiguration(name: "cloud", uplink: .init(addresses: [.init(host: "127.0.0.1", port: 5672)]),
                            forward: [.init(filter: "sensors/#", address: "telemetry.{#}", durable: true, retained: false),
                                      .init(filter: "q1/#", address: "q1", durable: false)],
                            buffer: .init(maxMessages: max, maxBytes: 1 << 20, overflow: overflow))
    }

    private func message(_ topic: String, qos: QoS = .atLeastOnce, retain: Bool = false, origin: String? = nil) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: "x"), qos: qos, retain: retain, origin: origin)
    }

    private func isTake(_ d: MessageTapDecision) -> Bool { if case .take = d { return true } else { return false } }
    private func isSkip(_ d: MessageTapDecision) -> Bool { if case .skip = d { return true } else { return false } }

    func testRulesDecideWhatIsTaken() {
        let tap = BridgeTap(configuration: config(.dropNewest, max: 100))
        XCTAssertTrue(isTake(tap.decide(message("sensors/a/t", qos: .atMostOnce))), "durable rules store QoS 0 too")
        XCTAssertTrue(isSkip(tap.decide(message("q1/x", qos: .atMostOnce))), "non-durable rules skip QoS 0")
        XCTAssertTrue(isTake(tap.decide(message("q1/x", qos: .atLeastOnce))))
        XCTAssertTrue(isSkip(tap.decide(message("other/x"))))
        XCTAssertTrue(isSkip(tap.decide(message("sensors/a/t", retain: true))), "retained not forwarded by this rule")
        XCTAssertTrue(isSkip(tap.decide(message("sensors/a/t", origin: "$bridge/cloud"))), "no loops back upstream")
    }

    func testDropNewestCountsDrops() {
        let tap = BridgeTap(configuration: config(.dropNewest))
        XCTAssertTrue(isTake(tap.decide(message("sensors/1"))))
        XCTAssertTrue(isTake(tap.decide(message("sensors/2"))))
        XCTAssertTrue(isSkip(tap.decide(message("sensors/3"))))
        XCTAssertEqual(tap.counters.dropped, 1)
        tap.completed(bytes: 1)
        XCTAssertTrue(isTake(tap.decide(message("sensors/4"))))
    }

    func testDropOldestTakesNewAndOwesADrop() {
        let tap = BridgeTap(configuration: config(.dropOldest))
        _ = tap.decide(message("sensors/1"))
        _ = tap.decide(message("sensors/2"))
        XCTAssertTrue(isTake(tap.decide(message("sensors/3"))))
        XCTAssertEqual(tap.counters.dropped, 1, "counted when it happens, not when the oldest is skipped")
        XCTAssertTrue(tap.takeOwedDrop())
        XCTAssertFalse(tap.takeOwedDrop())
        XCTAssertEqual(tap.counters.dropped, 1)
    }

    func testBlockPublishersHoldsAcknowledgementsUntilThereIsRoom() {
        let tap = BridgeTap(configuration: config(.blockPublishers))
        _ = tap.decide(message("sensors/1"))
        _ = tap.decide(message("sensors/2"))
        guard case .takeAndHoldAcknowledgement(let register) = tap.decide(message("sensors/3")) else { return XCTFail() }
        let released = expectation(description: "publisher released")
        register { released.fulfill() }
        tap.completed(bytes: 1)
        wait(for: [released], timeout: 0.1)
    }
}
