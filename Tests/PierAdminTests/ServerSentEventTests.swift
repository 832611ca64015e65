import XCTest

@testable import PierAdmin

final class ServerSentEventTests: XCTestCase {
    func testAnEventIsADataLineAndABlankLine() {
        XCTAssertEqual(ServerSentEvent.event(#"{"a":1}"#), "data: {\"a\":1}\n\n")
    }

    func testEveryLineOfAPayloadIsItsOwnDataLine() {
        XCTAssertEqual(ServerSentEvent.event("one\ntwo\r\nthree\rfour"), "data: one\ndata: two\ndata: three\ndata: four\n\n")
        XCTAssertEqual(ServerSentEvent.event(""), "data: \n\n")
    }

    func testACommentCannotStartAnEvent() {
        XCTAssertEqual(ServerSentEvent.comment("dropped 3\ndata: x"), ": dropped 3 data: x\n\n")
        XCTAssertEqual(ServerSentEvent.ping, ": ping\n\n")
    }

    func testJSONUsesTheAPIsSnakeCaseKeys() {
        struct Sample: Encodable { var messageCount: Int }
        XCTAssertEqual(ServerSentEvent.json(Sample(messageCount: 2)), "data: {\"message_count\":2}\n\n")
    }
}
