import XCTest
@testable import PierSelector

final class OperatorTests: XCTestCase {
    func testIntegerComparisons() {
        assertCases([
            Case("i = 7", true), Case("i = 8", false),
            Case("i <> 7", false), Case("i <> 8", true),
            Case("i < 8", true), Case("i < 7", false),
            Case("i <= 7", true), Case("i <= 6", false),
            Case("i > 6", true), Case("i > 7", false),
            Case("i >= 7", true), Case("i >= 8", false),
        ])
    }

    func testMixedIntDoubleComparisonsPromote() {
        assertCases([
            Case("i = 7.0", true), Case("d > 2", true), Case("d < 3", true),
            Case("half * 2 = 1", true), Case("2.5 = d", true), Case("i <> 7.5", true),
        ])
    }

    func testLargeLongsCompareExactly() {
        // 2^53 + 1 and 2^53 are equal as Doubles but must differ as Int64.
        assertCases([Case("n = 9007199254740992", false), Case("n > 9007199254740992", true)],
                    subject: ["n": 9_007_199_254_740_993])
    }

    func testArithmeticOperators() {
        assertCases([
            Case("i + j = 9", true), Case("i - j = 5", true), Case("i * j = 14", true),
            Case("i / j = 3", true), Case("d / 0.5 = 5", true), Case("-i = -7", true),
            Case("+i = 7", true), Case("- -i = 7", true), Case("neg * neg = 9", true),
            Case("i + d = 9.5", true), Case("qty * price = 127.5", true),
        ])
    }

    func testIntegerDivisionTruncatesAndByZeroIsUnknown() {
        assertCases([
            Case("7 / 2 = 3", true), Case("-7 / 2 = -3", true),
            Case("i / zero = 1", nil), Case("i / 0 > 0 OR TRUE", true),
            Case("NOT (i / 0 = 1)", nil),
        ])
    }

    func testDoubleDivisionByZeroFollowsIEEE() {
        assertCases([Case("d / 0 > 1000000", true), Case("d / 0.0 > 1000000", true), Case("-d / 0 < 0", true)])
    }

    func testIntegerOverflowWraps() {
        assertCases([
            Case("big + 1 = small", true), Case("small - 1 = big", true),
            Case("-small = small", true), Case("small / -1 = small", true), Case("big * 2 = -2", true),
        ])
    }

    func testArithmeticPrecedence() {
        assertCases([
            Case("1 + 2 * 3 = 7", true), Case("(1 + 2) * 3 = 9", true),
            Case("10 - 4 - 3 = 3", true), Case("100 / 10 / 5 = 2", true),
            Case("2 * 3 + 4 * 5 = 26", true), Case("-2 * 3 = -6", true),
            Case("- (2 + 3) = -5", true), Case("10 - -2 = 12", true),
            Case("i + j * 2 > 10", true), Case("1 + 2 = 3 AND 2 * 2 = 4", true),
        ])
    }

    func testLogicalPrecedence() {
        assertCases([
            // AND binds tighter than OR.
            Case("TRUE OR TRUE AND FALSE", true), Case("(TRUE OR TRUE) AND FALSE", false),
            Case("FALSE AND FALSE OR TRUE", true),
            // NOT binds tighter than AND, looser than comparison.
            Case("NOT i = 8 AND TRUE", true), Case("NOT FALSE AND FALSE", false),
            Case("NOT (FALSE AND FALSE)", true), Case("NOT NOT TRUE", true),
            Case("i > 5 AND s = 'hello' OR zero = 1", true),
        ])
    }

    func testStringEqualityOnly() {
        assertCases([
            Case("s = 'hello'", true), Case("s <> 'hello'", false), Case("s = 'Hello'", false),
            Case("'hello' = s", true), Case("s > s", nil), Case("s <= empty", nil),
            Case("quote = 'it''s'", true), Case("empty = ''", true),
        ], subject: sampleMessage)
    }

    func testStringOrderingOnLiteralsIsRejectedStatically() {
        assertRejects("i > 1 AND 'b' < 'c'", offsets: 10...10, containing: "numeric")
        assertRejects("s > 'a'", offsets: 4...4, containing: "numeric")
    }

    func testBooleanEqualityOnly() {
        assertCases([
            Case("t = TRUE", true), Case("f = FALSE", true), Case("t = f", false), Case("t <> f", true),
            Case("t > f", nil), Case("(i = 7) = TRUE", true), Case("TRUE = true", true),
        ])
    }

    func testTypeMismatchIsUnknownNotError() {
        assertCases([
            Case("s = 1", nil), Case("i = '7'", nil), Case("t = 1", nil), Case("s = TRUE", nil),
            Case("i + s = 1", nil), Case("s < 1", nil), Case("'7' = 7", nil), Case("-s = 1", nil),
            Case("+s = 1", nil), Case("t * 2 = 2", nil), Case("i <> 's'", nil),
        ])
    }

    func testUnicodeStringsCompareByScalars() {
        // Precomposed é vs e + combining acute: equal for Swift's ==, different for JMS (Java).
        assertCases([Case("name = 'caf\u{E9}'", true), Case("name = 'cafe\u{301}'", false)],
                    subject: ["name": "caf\u{E9}"])
    }

    func testJMSHeaderIdentifiers() {
        assertCases([
            Case("JMSPriority > 3", true), Case("JMSType = 'car'", true),
            Case("JMSCorrelationID = 'abc-123'", true), Case("JMSDeliveryMode = 'PERSISTENT'", true),
            Case("JMSPriority BETWEEN 0 AND 4 AND JMSType IN ('car', 'truck')", true),
            Case("JMSMessageID IS NULL", true),
        ])
    }
}
