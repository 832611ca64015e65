import PierYAML
import XCTest

final class YAMLScalarTests: XCTestCase {
    private func plain(_ text: String) -> YAMLScalar {
        YAMLScalar(text: text, isPlain: true, mark: YAMLMark(line: 1, column: 1))
    }

    private func quoted(_ text: String) -> YAMLScalar {
        YAMLScalar(text: text, isPlain: false, mark: YAMLMark(line: 1, column: 1))
    }

    func testIntegersInEveryNotation() {
        XCTAssertEqual(["1883", "+7", "-3", "0", "0x75b", "0o17", "017", "0b101", "1_000", "1:30"].map { plain($0).int },
                       [1883, 7, -3, 0, 1883, 15, 15, 5, 1000, 90])
        XCTAssertNil(plain("1.5").int)
        XCTAssertNil(plain("abc").int)
        XCTAssertNil(quoted("1883").int, "a quoted number is a string")
    }

    func testBooleansNullsAndFloats() {
        XCTAssertEqual(["true", "Yes", "ON", "false", "no", "Off"].map { plain($0).bool }, [true, true, true, false, false, false])
        XCTAssertNil(plain("maybe").bool)
        XCTAssertNil(plain("tRUE").bool)
        XCTAssertNil(quoted("true").bool)
        XCTAssertTrue(plain("~").isNull && plain("null").isNull && plain("").isNull)
        XCTAssertFalse(quoted("null").isNull || quoted("").isNull)
        XCTAssertEqual(plain("1.5").double, 1.5)
        XCTAssertEqual(plain("-.inf").double, -.infinity)
        XCTAssertNil(quoted("1.5").double)
    }
}
