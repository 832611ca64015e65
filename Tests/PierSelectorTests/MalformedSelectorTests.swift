import XCTest
@testable import PierSelector

final class MalformedSelectorTests: XCTestCase {
    func testStructuralErrors() {
        assertRejects("(a = 1", offsets: 6...6, containing: "')'")
        assertRejects("a = 1)", offsets: 5...5, containing: "unbalanced ')'")
        assertRejects("((a = 1)", offsets: 8...8, containing: "')'")
        assertRejects("()", offsets: 1...1, containing: "expected an expression")
        assertRejects("a = 1 AND", offsets: 9...9, containing: "end of input")
        assertRejects("a = 1 OR OR b = 2", offsets: 9...9, containing: "keyword OR")
        assertRejects("a =", offsets: 3...3, containing: "end of input")
        assertRejects("a + * 2 = 1", offsets: 4...4)
        assertRejects("NOT", offsets: 3...3)
        assertRejects("a = 1 b = 2", offsets: 6...6, containing: "after a complete expression")
        assertRejects("a = 1 2", offsets: 6...6)
        assertRejects("a = = 1", offsets: 4...4)
        assertRejects("= 1", offsets: 0...0)
    }

    func testLexicalErrors() {
        assertRejects("s = 'unterminated", offsets: 4...4, containing: "unterminated string")
        assertRejects("s = 'it''s", offsets: 4...4, containing: "unterminated string")
        assertRejects("a # 1", offsets: 2...2, containing: "unexpected character")
        assertRejects("a != 1", offsets: 2...2, containing: "<>")
        assertRejects("s = \"double\"", offsets: 4...4, containing: "single quotes")
        assertRejects("a = 1;", offsets: 5...5)
        assertRejects("a == 1", offsets: 3...3)
        assertRejects("a = b.c", offsets: 5...5)
    }

    func testNumericLiteralErrors() {
        assertRejects("a = 09", offsets: 4...4, containing: "octal")
        assertRejects("a = 0x", offsets: 4...4, containing: "hexadecimal")
        assertRejects("a = 0x1G", offsets: 4...4, containing: "malformed")
        assertRejects("a = 12abc", offsets: 4...4, containing: "malformed")
        assertRejects("a = 1e", offsets: 5...5, containing: "exponent")
        assertRejects("a = 1.2.3", offsets: 4...4, containing: "malformed")
        assertRejects("a = 9223372036854775808", offsets: 4...4, containing: "out of range")
        assertRejects("a = -9223372036854775809", offsets: 5...5, containing: "out of range")
        assertRejects("a = 0x10000000000000000", offsets: 4...4, containing: "out of range")
        assertRejects("a = 1LL", offsets: 4...4)
        assertRejects("i>=7AND j<=2", offsets: 3...3, containing: "malformed")
    }

    func testKeywordMisuse() {
        assertRejects("NULL = 1 AND TRUE = x AND AND", offsets: 26...26, containing: "keyword AND")
        assertRejects("a IS 1", offsets: 5...5, containing: "NULL")
        assertRejects("a IS NOT 1", offsets: 9...9, containing: "NULL")
        assertRejects("a NOT = 1", offsets: 6...6, containing: "BETWEEN, LIKE or IN")
        assertRejects("between = 1", offsets: 0...0, containing: "reserved")
        assertRejects("a = escape", offsets: 4...4, containing: "keyword ESCAPE")
    }

    func testBetweenErrors() {
        assertRejects("a BETWEEN 1", offsets: 11...11, containing: "AND")
        assertRejects("a BETWEEN 1 OR 2", offsets: 12...12, containing: "AND")
        assertRejects("a BETWEEN 'x' AND 'z'", offsets: 10...10, containing: "numeric")
        assertRejects("'a' BETWEEN 1 AND 2", offsets: 0...0, containing: "numeric")
    }

    func testLikeErrors() {
        assertRejects("a LIKE b", offsets: 7...7, containing: "string literal pattern")
        assertRejects("a LIKE 1", offsets: 7...7, containing: "string literal pattern")
        assertRejects("a LIKE 'x' ESCAPE", offsets: 17...17, containing: "ESCAPE")
        assertRejects("a LIKE 'x' ESCAPE 'ab'", offsets: 18...18, containing: "exactly one character")
        assertRejects("a LIKE 'x' ESCAPE ''", offsets: 18...18, containing: "exactly one character")
        assertRejects(#"a LIKE 'x\' ESCAPE '\'"#, offsets: 7...7, containing: "escape character")
        assertRejects("5 LIKE '5'", offsets: 0...0, containing: "string operand")
    }

    func testInErrors() {
        assertRejects("a IN ('x', 1)", offsets: 11...11, containing: "only string literals")
        assertRejects("a IN (b)", offsets: 6...6, containing: "only string literals")
        assertRejects("a IN ()", offsets: 6...6, containing: "only string literals")
        assertRejects("a IN 'x'", offsets: 5...5, containing: "'('")
        assertRejects("a IN ('x' 'y')", offsets: 10...10, containing: "')'")
        assertRejects("a IN ('x',", offsets: 10...10, containing: "end of input")
        assertRejects("a IN ('x'", offsets: 9...9)
        assertRejects("TRUE IN ('x')", offsets: 0...0, containing: "string operand")
    }

    func testStaticTypeErrors() {
        assertRejects("1", offsets: 0...0, containing: "expected a condition")
        assertRejects("a + 1", offsets: 0...0, containing: "expected a condition")
        assertRejects("'text'", offsets: 0...0, containing: "expected a condition")
        assertRejects("a = 1 AND 2", offsets: 10...10, containing: "expected a condition")
        assertRejects("NOT 5", offsets: 4...4, containing: "expected a condition")
        assertRejects("'a' + 1 = 2", offsets: 0...0, containing: "numeric")
        assertRejects("-'a' = 1", offsets: 1...1, containing: "numeric")
        assertRejects("(a = 1) * 2 = 2", offsets: 0...0, containing: "numeric")
        assertRejects("TRUE < FALSE", offsets: 0...0, containing: "numeric")
    }

    func testChainedComparisonsAreRejected() {
        assertRejects("a = b = c", offsets: 6...6, containing: "chained")
        assertRejects("1 < a < 3", offsets: 6...6, containing: "chained")
        assertRejects("a IS NULL IS NULL", offsets: 10...10, containing: "chained")
    }

    func testEmptySelectorIsRejectedByInit() {
        assertRejects("", offsets: 0...0, containing: "empty")
        assertRejects("   ", offsets: 0...0, containing: "empty")
    }

    func testOffsetsCountCharactersNotBytes() {
        // "é" and "👍🏽" take several UTF-8 bytes (and the emoji two scalars) but one Character each.
        assertRejects("é = 'x' AND #", offsets: 12...12)
        assertRejects("a = '👍🏽' AND #", offsets: 12...12)
    }

    func testDeepParenthesesThrowInsteadOfCrashing() {
        assertRejects(String(repeating: "(", count: 10_000), offsets: 0...256, containing: "nested too deeply")
        assertRejects(String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000),
                      offsets: 0...256, containing: "nested too deeply")
    }

    func testDeepUnaryAndNotChainsThrow() {
        assertRejects(String(repeating: "NOT ", count: 5_000) + "t", offsets: 0...(4 * 256), containing: "nested too deeply")
        assertRejects("a = " + String(repeating: "- ", count: 5_000) + "b", offsets: 0...(4 + 2 * 256),
                      containing: "nested too deeply")
    }

    func testLongFlatChainsAreFineButTallTreesAreBounded() throws {
        let flatOr = (0..<2_000).map { "a = \($0)" }.joined(separator: " OR ")
        XCTAssertTrue(try MessageSelector(flatOr).matches(["a": 1_999]), "2000-term OR chain is flat, not deep")
        let tallSum = "a = " + (0..<1_000).map(String.init).joined(separator: " + ")
        assertRejects(tallSum, offsets: 0...10_000, containing: "nested too deeply")
    }

    func testNestingJustBelowTheLimitWorks() throws {
        let depth = 200
        let text = String(repeating: "(", count: depth) + "i = 7" + String(repeating: ")", count: depth)
        XCTAssertTrue(try MessageSelector(text).matches(sampleMessage), "\(depth) nested parentheses evaluate")
    }

    func testRandomGarbageNeverCrashes() {
        // Deterministic fuzz over the selector alphabet: every input either compiles or throws.
        let alphabet = Array("ab1 0x.eE'()+-*/=<>,%_!NOT AND OR IN LIKE IS NULL BETWEEN ESCAPE TRUE")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var compiled = 0
        for _ in 0..<3_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int(state >> 58)
            var text = ""
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            do {
                let selector = try MessageSelector(text)
                compiled += 1
                _ = selector.evaluate(["a": 1, "b": "x"])
            } catch {
                XCTAssertTrue((0...text.count).contains(error.offset), "fuzz `\(text)`: offset \(error.offset) out of range")
            }
        }
        XCTAssertGreaterThan(compiled, 0, "fuzz produced at least one valid selector")
    }
}
