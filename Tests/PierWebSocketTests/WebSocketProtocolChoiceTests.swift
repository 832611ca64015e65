import XCTest

@testable import PierWebSocket

final class WebSocketProtocolChoiceTests: XCTestCase {
    private func choose(_ offered: [String], _ fixed: WebSocketProtocolChoice.Family? = nil) -> WebSocketProtocolChoice? {
        WebSocketProtocolChoice.choose(offered: offered, fixed: fixed)
    }

    func testAutoPicksByTheSubprotocol() {
        XCTAssertEqual(choose(["mqtt"]), .init(family: .mqtt, subprotocol: "mqtt"))
        XCTAssertEqual(choose(["mqttv3.1"]), .init(family: .mqtt, subprotocol: "mqttv3.1"))
        XCTAssertEqual(choose(["stomp"]), .init(family: .stomp, subprotocol: "stomp"))
    }

    func testStompPrefersTheHighestVersionOffered() {
        XCTAssertEqual(choose(["v10.stomp", "v12.stomp", "v11.stomp"]), .init(family: .stomp, subprotocol: "v12.stomp"))
        XCTAssertEqual(choose(["v10.stomp", "v11.stomp"]), .init(family: .stomp, subprotocol: "v11.stomp"))
    }

    func testNoSubprotocolMeansStompForAutoAndTheFixedProtocolOtherwise() {
        XCTAssertEqual(choose([]), .init(family: .stomp, subprotocol: nil), "ActiveMQ's default")
        XCTAssertEqual(choose([], .mqtt), .init(family: .mqtt, subprotocol: nil))
    }

    func testUnknownSubprotocolsAreRefusedAndKnownOnesSkippedPast() {
        XCTAssertNil(choose(["wamp", "soap"]))
        XCTAssertEqual(choose(["wamp", "mqtt"]), .init(family: .mqtt, subprotocol: "mqtt"))
        XCTAssertNil(choose(["v12.stomp"], .mqtt), "an MQTT listener does not serve STOMP")
        XCTAssertEqual(choose(["v12.stomp", "mqtt"], .mqtt), .init(family: .mqtt, subprotocol: "mqtt"))
    }

    func testTheFirstKnownFamilyOfferedWinsOnAuto() {
        XCTAssertEqual(choose(["mqtt", "v12.stomp"])?.family, .mqtt)
        XCTAssertEqual(choose(["v12.stomp", "mqtt"])?.family, .stomp)
        XCTAssertEqual(choose(["MQTT"]), .init(family: .mqtt, subprotocol: "mqtt"), "names are case-insensitive")
    }

    func testRefusalsByPathAndOrigin() {
        let o = WebSocketOptions(path: "/mqtt", allowedOrigins: ["https://dash.example"])
        XCTAssertNil(o.refusal(path: "/mqtt", origin: nil))
        XCTAssertNil(o.refusal(path: "/mqtt?x=1", origin: "https://dash.example"))
        XCTAssertEqual(o.refusal(path: "/", origin: nil), 404)
        XCTAssertEqual(o.refusal(path: "/mqtt", origin: "https://evil.example"), 403)
        XCTAssertNil(WebSocketOptions().refusal(path: "/anything", origin: "https://anywhere"))
    }
}
