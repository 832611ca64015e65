import XCTest
@testable import PierSTOMP

final class STOMPVersionTests: XCTestCase {
    func testNegotiation() {
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: nil), .v1_0, "no header means 1.0")
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: ""), .v1_0)
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.0"), .v1_0)
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.1"), .v1_1)
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.0,1.1,1.2"), .v1_2)
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.2,1.0"), .v1_2, "order does not matter")
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.1, 1.2 "), .v1_2, "spaces are tolerated")
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.1,2.0"), .v1_1, "unknown versions are skipped")
        XCTAssertNil(STOMPVersion.negotiate(acceptVersion: "2.0,3.0"))
        XCTAssertNil(STOMPVersion.negotiate(acceptVersion: ",,"))
    }

    func testNegotiationWithinASupportedSet() {
        XCTAssertEqual(STOMPVersion.negotiate(acceptVersion: "1.0,1.1,1.2", supported: [.v1_0, .v1_1]), .v1_1)
        XCTAssertNil(STOMPVersion.negotiate(acceptVersion: "1.2", supported: [.v1_0, .v1_1]))
        XCTAssertNil(STOMPVersion.negotiate(acceptVersion: nil, supported: [.v1_2]))
        XCTAssertEqual(STOMPVersion.headerValue(listing: [.v1_2, .v1_0, .v1_1]), "1.0,1.1,1.2")
    }

    func testOrderingAndEscapingRules() {
        XCTAssertLessThan(STOMPVersion.v1_0, .v1_1)
        XCTAssertLessThan(STOMPVersion.v1_1, .v1_2)
        XCTAssertEqual(STOMPVersion.allCases.map(\.escapesHeaders), [false, true, true])
        XCTAssertEqual(STOMPVersion.allCases.map(\.escapesCarriageReturn), [false, false, true])
    }
}
