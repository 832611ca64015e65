import NIOCore
import XCTest
@testable import PierSTOMP

final class STOMPFrameTests: XCTestCase {
    func testHeaderReturnsTheFirstOccurrence() {
        let frame = STOMPFrame(.message, ["id": "1", "x": "a", "id": "2"])
        XCTAssertEqual(frame.header("id"), "1")
        XCTAssertEqual(frame.headers(named: "id"), ["1", "2"])
        XCTAssertNil(frame.header("ID"), "header names are case-sensitive")
    }

    func testSetHeaderReplacesInPlaceAndDropsRepeats() {
        var frame = STOMPFrame(.message, ["id": "1", "x": "a", "id": "2"])
        frame.setHeader("id", "9")
        XCTAssertEqual(frame.headers, [STOMPHeader("id", "9"), STOMPHeader("x", "a")])
        frame.setHeader("new", "v")
        XCTAssertEqual(frame.headers.last, STOMPHeader("new", "v"))
    }

    func testCommandProperties() {
        XCTAssertEqual(STOMPCommand.allCases.count, 15)
        XCTAssertEqual(STOMPCommand.allCases.filter(\.isClientCommand).count, 11)
        XCTAssertEqual(Set(STOMPCommand.allCases.filter(\.mayHaveBody)), [.send, .message, .error])
        XCTAssertEqual(Set(STOMPCommand.allCases.filter { !$0.escapesHeaders }), [.connect, .connected, .stomp])
        XCTAssertEqual(STOMPCommand.maxLength, 11)
    }
}
