import XCTest
@testable import PierSelector

final class LiteralAndIdentifierTests: XCTestCase {
    func testExactNumericLiterals() {
        assertCases([
            Case("n = 42", true), Case("n = 42L", true), Case("n = 42l", true),
            Case("n = 0x2A", true), Case("n = 0X2a", true), Case("n = 0x2AL", true),
            Case("n = 052", true), Case("n = 052L", true), Case("zero = 0", true), Case("zero = 00", true),
            Case("zero = 0L", true), Case("n = -(-42)", true),
        ], subject: ["n": 42, "zero": 0])
    }

    func testExtremeIntegerLiterals() {
        assertCases([
            Case("n = 9223372036854775807", true), Case("m = -9223372036854775808", true),
            Case("n = 0x7FFFFFFFFFFFFFFF", true), Case("m = -0x8000000000000000", true),
            Case("n = 0777777777777777777777", true),
        ], subject: ["n": .int(Int64.max), "m": .int(Int64.min)])
    }

    func testApproximateNumericLiterals() {
        assertCases([
            Case("x = 1.5", true), Case("x = 1.50", true), Case("x = 15e-1", true), Case("x = 0.15E1", true),
            Case("x = 1.5F", true), Case("x = 1.5d", true), Case("x = 1.5D", true),
            Case("h = .5", true), Case("h = 5e-1", true), Case("h = .5f", true),
            Case("seven = 7.", true), Case("seven = 7.D", true), Case("seven = 7F", true), Case("seven = 7d", true),
            Case("k = 1e3", true), Case("k = 1E+3", true), Case("k = 1000.0", true),
            Case("avogadro = 6.02E23", true), Case("x = 1.4999", false),
        ], subject: ["x": 1.5, "h": 0.5, "seven": 7, "k": 1000, "avogadro": 6.02e23])
    }

    func testLiteralTypes() throws {
        // The result type of a literal shows through arithmetic: 7 / 2 truncates, 7.0 / 2 does not.
        assertCases([Case("7 / 2 = 3", true), Case("7.0 / 2 = 3.5", true), Case("7F / 2 = 3.5", true),
                     Case("7L / 2 = 3", true), Case("0x7 / 2 = 3", true)])
    }

    func testStringLiterals() {
        assertCases([
            Case("s = 'it''s'", true), Case("s = 'it''''s'", false), Case("q = ''''", true),
            Case("e = ''", true), Case("sp = '  padded '", true), Case("u = 'π ≈ 3.14 ✓'", true),
            Case("kw = 'AND OR NOT'", true), Case("dq = 'say \"hi\"'", true),
        ], subject: ["s": "it's", "q": "'", "e": "", "sp": "  padded ", "u": "π ≈ 3.14 ✓",
                     "kw": "AND OR NOT", "dq": "say \"hi\""])
    }

    func testBooleanLiterals() {
        assertCases([Case("TRUE", true), Case("FALSE", false), Case("true", true), Case("False", false),
                     Case("TRUE = TRUE", true), Case("TRUE <> FALSE", true)])
    }

    func testKeywordsAreCaseInsensitive() {
        assertCases([
            Case("i between 1 and 10", true), Case("i Not Between 1 AnD 10", false),
            Case("s like 'h%' escape '!'", true), Case("s nOt LiKe 'x%'", true),
            Case("color in ('blue')", true), Case("missing is null", true), Case("i iS nOt NuLl", true),
            Case("not false or false", true), Case("tRuE aNd TrUe", true),
        ])
    }

    func testIdentifiersAreCaseSensitive() {
        assertCases([
            Case("color = 'blue'", true), Case("Color = 'RED'", true), Case("COLOR IS NULL", true),
            Case("color <> Color", true), Case("jmspriority IS NULL", true), Case("JMSPriority = 4", true),
        ])
    }

    func testIdentifierCharacters() {
        assertCases([
            Case("_x = 1", true), Case("$y = 2", true), Case("a1_b$2 = 3", true),
            Case("größe = 4", true), Case("ID_ = 5", true), Case("nulls = 6", true), Case("NOTE = 7", true),
            Case("andy = 8", true), Case("isFlag", true), Case("inside = 9", true), Case("Trueish = 10", true),
        ], subject: ["_x": 1, "$y": 2, "a1_b$2": 3, "größe": 4, "ID_": 5, "nulls": 6, "NOTE": 7,
                     "andy": 8, "isFlag": true, "inside": 9, "Trueish": 10])
    }

    func testWhitespaceAndLayout() {
        assertCases([Case("  i=7  ", true), Case("i\t=\n7", true), Case("(i=7)AND(j=2)", true),
                     Case("i>=7 AND j<=2", true), Case("\r\ni <> 8\r\n", true)])
    }

    func testIdentifiersAreCollected() throws {
        let selector = try MessageSelector("JMSType = 'car' AND (color IN ('red') OR price * qty > 10) AND NOT t")
        XCTAssertEqual(selector.identifiers, ["JMSType", "color", "price", "qty", "t"], "identifier set")
        XCTAssertEqual(selector.text, "JMSType = 'car' AND (color IN ('red') OR price * qty > 10) AND NOT t",
                       "text is kept verbatim")
    }

    func testCompileTreatsBlankAsNoSelector() throws {
        XCTAssertNil(try MessageSelector.compile(nil), "nil selector")
        XCTAssertNil(try MessageSelector.compile(""), "empty selector")
        XCTAssertNil(try MessageSelector.compile(" \t\n "), "whitespace-only selector")
        XCTAssertNotNil(try MessageSelector.compile("a = 1"), "real selector")
        XCTAssertThrowsError(try MessageSelector.compile("a = "), "compile still rejects bad text")
    }

    func testSelectorIsSendableAndReusable() async throws {
        let selector = try MessageSelector("i > 3")
        let results = await withTaskGroup(of: Bool.self) { group in
            for value in 0..<8 {
                group.addTask { selector.matches(["i": .int(Int64(value))]) }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        XCTAssertEqual(results, 4, "values 4...7 match across concurrent tasks")
    }

    func testCustomSubject() throws {
        struct Headers: SelectorSubject {
            func selectorValue(for identifier: String) -> SelectorValue? {
                identifier == "JMSPriority" ? .int(9) : nil
            }
        }
        let selector = try MessageSelector("JMSPriority >= 7 AND JMSType IS NULL")
        XCTAssertTrue(selector.matches(Headers()), "custom SelectorSubject conformance")
    }

    func testValueDescriptions() {
        XCTAssertEqual(SelectorValue.string("it's").description, "'it''s'", "string description re-escapes")
        XCTAssertEqual(SelectorValue.bool(true).description, "TRUE", "bool description")
        XCTAssertEqual(SelectorError(message: "bad", offset: 3).description, "bad (at offset 3)", "error description")
    }
}
