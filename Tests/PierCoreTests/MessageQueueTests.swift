import XCTest
@testable import PierCore

final class MessageQueueTests: XCTestCase {
    func testFirstInFirstOutAcrossCompaction() {
        var q = MessageQueue<Int>()
        XCTAssertTrue(q.isEmpty)
        XCTAssertNil(q.popFirst())
        for i in 0..<200 { q.append(i) }
        var out: [Int] = []
        for _ in 0..<150 { out.append(q.popFirst()!) }
        for i in 200..<220 { q.append(i) }
        XCTAssertEqual(q.count, 70)
        XCTAssertEqual(Array(q), Array(150..<220))
        while let x = q.popFirst() { out.append(x) }
        XCTAssertEqual(out, Array(0..<220))
        XCTAssertTrue(q.isEmpty)
    }

    func testRemoveAll() {
        var q = MessageQueue<String>()
        q.append("a")
        q.append("b")
        _ = q.popFirst()
        q.removeAll()
        XCTAssertEqual(q.count, 0)
        q.append("c")
        XCTAssertEqual(Array(q), ["c"])
    }
}
