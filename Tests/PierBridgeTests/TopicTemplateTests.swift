import XCTest
@testable import PierBridge

final class TopicTemplateTests: XCTestCase {
    func testCapturesFollowTheWildcards() {
        XCTAssertEqual(TopicTemplate.captures(filter: "sensors/+/temp", topic: "sensors/k7/temp"), ["k7"])
        XCTAssertEqual(TopicTemplate.captures(filter: "a/+/b/+", topic: "a/1/b/2"), ["1", "2"])
        XCTAssertEqual(TopicTemplate.captures(filter: "site/#", topic: "site/a/b/c"), ["a/b/c"])
        XCTAssertEqual(TopicTemplate.captures(filter: "site/#", topic: "site"), [""])
        XCTAssertEqual(TopicTemplate.captures(filter: "exact/topic", topic: "exact/topic"), [])
        XCTAssertNil(TopicTemplate.captures(filter: "sensors/+/temp", topic: "sensors/k7/humidity"))
        XCTAssertNil(TopicTemplate.captures(filter: "sensors/+", topic: "sensors/k7/temp"))
        XCTAssertNil(TopicTemplate.captures(filter: "#", topic: "$SYS/broker/uptime"))
    }

    func testRender() {
        XCTAssertEqual(TopicTemplate.render("telemetry.{1}.temp", captures: ["k7"]), "telemetry.k7.temp")
        XCTAssertEqual(TopicTemplate.render("/exchange/amq.topic/site.{#}", captures: ["a/b/c"]), "/exchange/amq.topic/site.a.b.c")
        XCTAssertEqual(TopicTemplate.render("devices/{subject}/cmd", captures: [], values: ["subject": "gw-1"]), "devices/gw-1/cmd")
        XCTAssertEqual(TopicTemplate.render("keep/{9}/{x}", captures: ["a"]), "keep/{9}/{x}", "unknown placeholders stay")
        XCTAssertEqual(TopicTemplate.render("no-placeholders", captures: ["a"]), "no-placeholders")
    }
}
