import XCTest
@testable import PierSelector

/// Subject used across the suites: a mix of types plus JMS-header-style names.
let sampleMessage: [String: SelectorValue] = [
    "i": 7, "j": 2, "zero": 0, "neg": -3, "big": .int(Int64.max), "small": .int(Int64.min),
    "d": 2.5, "half": 0.5,
    "s": "hello", "empty": "", "quote": "it's", "t": true, "f": false,
    "JMSPriority": 4, "JMSType": "car", "JMSCorrelationID": "abc-123", "JMSDeliveryMode": "PERSISTENT",
    "color": "blue", "Color": "RED", "price": 12.75, "qty": 10,
]

/// One row of a table-driven test: the selector, and its expected three-valued result.
struct Case {
    let selector: String
    let expected: Bool?
    let line: UInt

    init(_ selector: String, _ expected: Bool?, line: UInt = #line) {
        self.selector = selector
        self.expected = expected
        self.line = line
    }
}

extension XCTestCase {
    /// Asserts the three-valued result and that `matches` agrees (TRUE only).
    func assertCases(_ cases: [Case], subject: [String: SelectorValue] = sampleMessage, file: StaticString = #filePath) {
        for c in cases {
            do {
                let selector = try MessageSelector(c.selector)
                let result = selector.evaluate(subject)
                XCTAssertEqual(result, c.expected,
                               "selector `\(c.selector)` evaluated to \(String(describing: result))",
                               file: file, line: c.line)
                XCTAssertEqual(selector.matches(subject), c.expected == true,
                               "matches() disagrees with evaluate() for `\(c.selector)`", file: file, line: c.line)
            } catch {
                XCTFail("selector `\(c.selector)` failed to compile: \(error)", file: file, line: c.line)
            }
        }
    }

    /// Asserts that compiling throws, with an offset in `offsets` and (optionally) a message fragment.
    func assertRejects(_ text: String, offsets: ClosedRange<Int>, containing fragment: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try MessageSelector(text)
            XCTFail("selector `\(text)` compiled but should have been rejected", file: file, line: line)
        } catch {
            XCTAssertTrue(offsets.contains(error.offset),
                          "selector `\(text)`: offset \(error.offset) not in \(offsets) (\(error))", file: file, line: line)
            if let fragment {
                XCTAssertTrue(error.message.contains(fragment),
                              "selector `\(text)`: message '\(error.message)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }
}
