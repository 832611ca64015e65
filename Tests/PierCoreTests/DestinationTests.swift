import XCTest
@testable import PierCore

final class DestinationTests: XCTestCase {
    func testDottedToMQTT() {
        XCTAssertEqual(Destination.mqttName(fromDotted: "a.b.*.>"), "a/b/+/#")
        XCTAssertEqual(Destination.mqttName(fromDotted: "orders"), "orders")
        XCTAssertEqual(Destination.mqttName(fromDotted: ">"), "#")
        XCTAssertEqual(Destination.mqttName(fromDotted: "*.x"), "+/x")
    }

    func testMQTTToDotted() {
        XCTAssertEqual(Destination.dottedName(fromMQTT: "a/b/+/#"), "a.b.*.>")
        XCTAssertEqual(Destination.dottedName(fromMQTT: "orders"), "orders")
        XCTAssertEqual(Destination.dottedName(fromMQTT: "#"), ">")
        XCTAssertEqual(Destination.dottedName(fromMQTT: "+/x"), "*.x")
    }

    func testOnlyWholeLevelWildcardsAreTranslated() {
        XCTAssertEqual(Destination.mqttName(fromDotted: "a*.b>"), "a*/b>")
        XCTAssertEqual(Destination.dottedName(fromMQTT: "price+/x"), "price+.x")
    }

    func testRoundTrip() {
        for mqtt in ["a/b/+/#", "sensors/+/temperature", "a//b", "#", "x"] {
            XCTAssertEqual(Destination.mqttName(fromDotted: Destination.dottedName(fromMQTT: mqtt)), mqtt)
        }
        for dotted in ["a.b.*.>", "queue.orders", "a..b"] {
            XCTAssertEqual(Destination.dottedName(fromMQTT: Destination.mqttName(fromDotted: dotted)), dotted)
        }
    }

    func testName() {
        XCTAssertEqual(Destination.topic("a/b").name, "a/b")
        XCTAssertEqual(Destination.queue("jobs").name, "jobs")
        XCTAssertNotEqual(Destination.topic("x"), Destination.queue("x"))
    }
}
