import NIOCore
import XCTest
@testable import PierCore

final class RetainedStoreTests: XCTestCase {
    private func message(_ topic: String, _ payload: String, expiresAt: Int64? = nil) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: payload), qos: .atLeastOnce, retain: true, expiresAt: expiresAt)
    }

    private func payloads(_ messages: [Message]) -> [String] {
        messages.map { String(buffer: $0.payload) }
    }

    func testSetAndReplace() {
        var store = RetainedStore()
        store.apply(message("a/b", "1"))
        store.apply(message("a/c", "2"))
        XCTAssertEqual(store.count, 2)
        store.apply(message("a/b", "3"))
        XCTAssertEqual(store.count, 2)
        XCTAssertEqual(payloads(store.matching(filter: "a/b", now: 0)), ["3"])
    }

    func testEmptyPayloadClears() {
        var store = RetainedStore()
        store.apply(message("a/b", "1"))
        store.apply(message("a/b", ""))
        XCTAssertEqual(store.count, 0)
        XCTAssertTrue(store.matching(filter: "#", now: 0).isEmpty)
        // Clearing a topic that holds nothing is harmless.
        store.apply(message("x", ""))
        XCTAssertEqual(store.count, 0)
    }

    func testMatchingWithWildcardsIsSortedByTopic() {
        var store = RetainedStore()
        store.apply(message("s/2/t", "b"))
        store.apply(message("s/1/t", "a"))
        store.apply(message("s/1/h", "c"))
        store.apply(message("other", "d"))
        store.apply(message("$SYS/uptime", "e"))
        XCTAssertEqual(payloads(store.matching(filter: "s/+/t", now: 0)), ["a", "b"])
        XCTAssertEqual(payloads(store.matching(filter: "s/#", now: 0)), ["c", "a", "b"])
        XCTAssertEqual(payloads(store.matching(filter: "#", now: 0)), ["d", "c", "a", "b"], "# excludes $ topics")
        XCTAssertEqual(payloads(store.matching(filter: "$SYS/#", now: 0)), ["e"])
        XCTAssertTrue(store.matching(filter: "nothing/#", now: 0).isEmpty)
    }

    func testExpiredMessagesAreExcludedAndRemoved() {
        var store = RetainedStore()
        store.apply(message("a", "old", expiresAt: 1_000))
        store.apply(message("b", "forever"))
        XCTAssertEqual(payloads(store.matching(filter: "#", now: 999)), ["old", "forever"])
        XCTAssertEqual(payloads(store.matching(filter: "#", now: 1_000)), ["forever"])
        XCTAssertEqual(store.count, 2, "matching does not mutate")
        store.removeExpired(now: 1_000)
        XCTAssertEqual(store.count, 1)
        XCTAssertEqual(payloads(store.matching(filter: "#", now: 0)), ["forever"])
    }
}
