import XCTest
@testable import PierSelector

final class PredicateTests: XCTestCase {
    func testBetweenAndNotBetween() {
        assertCases([
            Case("i BETWEEN 1 AND 10", true), Case("i BETWEEN 7 AND 7", true),
            Case("i BETWEEN 8 AND 10", false), Case("i BETWEEN 10 AND 1", false),
            Case("i NOT BETWEEN 1 AND 10", false), Case("i NOT BETWEEN 8 AND 10", true),
            Case("d BETWEEN 2 AND 3", true), Case("i BETWEEN 6.5 AND 7.5", true),
            Case("i BETWEEN j AND j * 4", true), Case("i + 1 BETWEEN 8 AND 8", true),
            Case("i BETWEEN 1 AND 10 AND s = 'hello'", true),
            Case("s BETWEEN 1 AND 10", nil), Case("t NOT BETWEEN 1 AND 10", nil),
        ])
    }

    func testInAndNotIn() {
        assertCases([
            Case("color IN ('red', 'blue', 'green')", true), Case("color IN ('red')", false),
            Case("color NOT IN ('red', 'green')", true), Case("color NOT IN ('blue')", false),
            Case("Color IN ('red')", false), Case("Color IN ('RED')", true),
            Case("quote IN ('it''s')", true), Case("empty IN ('')", true),
            Case("i IN ('7')", nil), Case("t NOT IN ('true')", nil),
            Case("JMSType in ('car','bus')", true),
        ])
    }

    func testLargeInList() {
        let members = (0..<500).map { "'v\($0)'" }.joined(separator: ", ")
        assertCases([Case("s IN (\(members))", true), Case("s NOT IN (\(members))", false)],
                    subject: ["s": "v499"])
    }

    func testLikeWildcards() {
        assertCases([
            Case("s LIKE 'hello'", true), Case("s LIKE 'hell'", false),
            Case("s LIKE 'h%'", true), Case("s LIKE '%o'", true), Case("s LIKE '%ll%'", true),
            Case("s LIKE '%'", true), Case("empty LIKE '%'", true), Case("empty LIKE '_'", false),
            Case("s LIKE 'h_llo'", true), Case("s LIKE '_____'", true), Case("s LIKE '______'", false),
            Case("s LIKE 'h%l_o'", true), Case("s LIKE '%%%'", true), Case("s LIKE 'H%'", false),
            Case("s LIKE '%x%'", false), Case("s LIKE 'hello_'", false), Case("s LIKE '_%_'", true),
            Case("s NOT LIKE 'h%'", false), Case("s NOT LIKE 'x%'", true),
        ])
    }

    func testLikeNeedsBacktracking() {
        assertCases([
            Case("v LIKE '%ab%abc'", true), Case("v LIKE 'a%c%b'", false), Case("v LIKE '%b_b%'", true),
        ], subject: ["v": "aabab-abc"])
    }

    func testLikeWithEscape() {
        assertCases([
            Case(#"p LIKE '100\%' ESCAPE '\'"#, true), Case(#"p LIKE '10\%' ESCAPE '\'"#, false),
            Case("u LIKE 'a!_b' ESCAPE '!'", true), Case("v LIKE 'a!_b' ESCAPE '!'", false),
            Case("v LIKE 'a_b'", true), Case("e LIKE 'x!!y' ESCAPE '!'", true),
            Case("u LIKE '%!_%' ESCAPE '!'", true), Case("v LIKE '%!_%' ESCAPE '!'", false),
            // The escape may precede an ordinary character, which is then just literal.
            Case("v LIKE '!a%' ESCAPE '!'", true),
        ], subject: ["p": "100%", "u": "a_b", "v": "axb", "e": "x!y"])
    }

    func testLikeWithRegexAndUnicodeSpecialCharacters() {
        assertCases([
            Case("r LIKE 'a.b*c+[d]%'", true), Case("r LIKE 'a_b%'", true), Case("r LIKE 'a.b*c+[d](e)?^$|'", true),
            Case("r LIKE '.%'", false), Case("w LIKE 'gr__e'", true), Case("w LIKE '_r%'", true),
            Case("w LIKE 'gr_e'", false), Case("x LIKE 'line1%line2'", true), Case("q LIKE '%''%'", true),
        ], subject: ["r": "a.b*c+[d](e)?^$|", "w": "gr\u{FC}\u{DF}e", "x": "line1\nline2", "q": "it's"])
    }

    func testLikeDoesNotBacktrackExponentially() throws {
        let text = String(repeating: "a", count: 5000)
        let selector = try MessageSelector("v LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%b'")
        let clock = ContinuousClock()
        let elapsed = clock.measure { XCTAssertFalse(selector.matches(["v": .string(text)]), "pathological LIKE") }
        XCTAssertLessThan(elapsed, .seconds(5), "pathological LIKE took \(elapsed)")
    }

    func testLikeOnNonStringIsUnknown() {
        assertCases([Case("i LIKE '7'", nil), Case("t NOT LIKE 'x'", nil)])
    }

    func testPatternMatcherDirectly() throws {
        let pattern = try LikePattern("a%%b_", escape: nil)
        XCTAssertEqual(pattern.elements, [.scalar("a"), .anyRun, .scalar("b"), .anyOne], "runs of % collapse")
        XCTAssertTrue(pattern.matches("ab!"), "% matches empty")
        XCTAssertThrowsError(try LikePattern("ab\\", escape: "\\"), "dangling escape is rejected")
    }
}
