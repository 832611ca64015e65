import NIOCore
import XCTest
@testable import PierCore

final class MessageTests: XCTestCase {
    private func message(expiresAt: Int64?) -> Message {
        Message(destination: .topic("a/b"), payload: ByteBuffer(string: "x"), expiresAt: expiresAt)
    }

    func testTopicIsDestinationName() {
        XCTAssertEqual(message(expiresAt: nil).topic, "a/b")
    }

    func testWithoutExpiryNeverExpires() {
        let m = message(expiresAt: nil)
        XCTAssertFalse(m.isExpired(now: .max))
        XCTAssertNil(m.remainingExpirySeconds(now: 0))
    }

    func testExpiresAtDeadline() {
        let m = message(expiresAt: 10_000)
        XCTAssertFalse(m.isExpired(now: 9_999))
        XCTAssertTrue(m.isExpired(now: 10_000))
        XCTAssertTrue(m.isExpired(now: 20_000))
    }

    func testRemainingExpiryRoundsUp() {
        let m = message(expiresAt: 10_000)
        XCTAssertEqual(m.remainingExpirySeconds(now: 0), 10)
        XCTAssertEqual(m.remainingExpirySeconds(now: 8_999), 2)
        XCTAssertEqual(m.remainingExpirySeconds(now: 9_000), 1)
        XCTAssertEqual(m.remainingExpirySeconds(now: 9_999), 1)
        XCTAssertEqual(m.remainingExpirySeconds(now: 10_000), 0)
        XCTAssertEqual(m.remainingExpirySeconds(now: 50_000), 0)
    }
}
