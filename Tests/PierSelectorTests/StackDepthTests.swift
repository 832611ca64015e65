import Foundation
import XCTest
@testable import PierSelector

/// Selectors are compiled and evaluated on event-loop and cooperative-pool threads, whose stacks
/// are smaller than the main thread's. These run inputs at the nesting limit on a thread with a
/// bounded stack; the size is set for unoptimised test builds (release needs about a quarter).
final class StackDepthTests: XCTestCase {
    private static let stackBytes = 2 << 20
    private let limit = SelectorParser.maxDepth

    private func onSmallStack(_ work: @escaping @Sendable () throws -> Void) {
        let done = expectation(description: "bounded-stack thread finished")
        let thread = Thread {
            do { try work() } catch { XCTFail("unexpected error on bounded-stack thread: \(error)") }
            done.fulfill()
        }
        thread.stackSize = Self.stackBytes
        thread.start()
        wait(for: [done], timeout: 60)
    }

    func testParenthesesAtTheLimitOnBoundedStack() {
        let limit = self.limit
        onSmallStack {
            let text = String(repeating: "(", count: limit) + "i = 7" + String(repeating: ")", count: limit)
            XCTAssertEqual(try? MessageSelector(text).evaluate(["i": 7]), true, "\(limit) nested parentheses")
            let over = "(" + text + ")"
            XCTAssertThrowsError(try MessageSelector(over), "\(limit + 1) nested parentheses are rejected")
        }
    }

    func testNotChainAtTheLimitOnBoundedStack() {
        let limit = self.limit
        onSmallStack {
            // limit-1 NOTs over a bare identifier give a tree exactly `limit` high.
            let text = String(repeating: "NOT ", count: limit - 1) + "t"
            XCTAssertEqual(try? MessageSelector(text).evaluate(["t": true]), (limit - 1) % 2 == 0,
                           "\(limit - 1) NOTs evaluate")
        }
    }

    func testTallArithmeticTreeAtTheLimitOnBoundedStack() {
        let limit = self.limit
        onSmallStack {
            // A left-deep sum of n terms is n high; the comparison adds one level.
            let terms = limit - 1
            let text = "i = " + Array(repeating: "1", count: terms).joined(separator: " + ")
            XCTAssertEqual(try? MessageSelector(text).evaluate(["i": .int(Int64(terms))]), true,
                           "\(terms)-term sum evaluates")
            XCTAssertThrowsError(try MessageSelector(text + " + 1"), "one more level is rejected")
        }
    }
}
