@testable import PierAMQP
import PierCore
import XCTest

final class AMQPAddressTests: XCTestCase {
    func testPrefixesPlainNamesAndCapabilities() {
        XCTAssertEqual(AMQPAddress.destination("queue://orders"), .queue("orders"))
        XCTAssertEqual(AMQPAddress.destination("topic://a.b.*.>"), .topic("a/b/+/#"))
        XCTAssertEqual(AMQPAddress.destination("orders"), .queue("orders"), "a plain name is a queue, as in ActiveMQ")
        XCTAssertEqual(AMQPAddress.destination("a.b", capabilities: ["topic"]), .topic("a/b"))
        XCTAssertNil(AMQPAddress.destination(nil))
        XCTAssertNil(AMQPAddress.destination("queue://"))
    }

    func testFormatRoundTrips() {
        for d: Destination in [.queue("q.1"), .topic("a/b"), .queue("ID:pier-temp-queue-3")] {
            XCTAssertEqual(AMQPAddress.destination(AMQPAddress.format(d)), d)
        }
        XCTAssertEqual(AMQPAddress.format(.topic("a/b")), "topic://a.b")
    }
}
