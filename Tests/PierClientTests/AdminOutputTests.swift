import XCTest
@testable import PierClient

final class AdminOutputTests: XCTestCase {
    func testUTCTimesFromEpochMillis() {
        XCTAssertEqual(AdminOutput.utc(0), "1970-01-01 00:00:00Z")
        XCTAssertEqual(AdminOutput.utc(951_782_400_000), "2000-02-29 00:00:00Z")
        XCTAssertEqual(AdminOutput.utc(1_796_170_135_999), "2026-12-02 00:08:55Z")
        XCTAssertEqual(AdminOutput.utc(-1000), "1969-12-31 23:59:59Z")
    }

    func testDurationsLeaveOutLeadingZeroUnits() {
        XCTAssertEqual(AdminOutput.duration(0), "0s")
        XCTAssertEqual(AdminOutput.duration(59), "59s")
        XCTAssertEqual(AdminOutput.duration(3600), "1h 0m 0s")
        XCTAssertEqual(AdminOutput.duration(2 * 86400 + 61), "2d 0h 1m 1s")
    }
}
