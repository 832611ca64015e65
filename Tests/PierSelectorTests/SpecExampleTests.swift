import XCTest
@testable import PierSelector

/// The examples JMS 1.1 §3.8.1 gives, evaluated as the spec describes them.
final class SpecExampleTests: XCTestCase {
    private let car: [String: SelectorValue] = [
        "JMSType": "car", "color": "blue", "weight": 3000, "age": 17, "Country": "UK",
        "phone": "12993", "word": "lose", "underscored": "_id",
    ]

    func testSpecSelectors() {
        assertCases([
            Case("JMSType = 'car' AND color = 'blue' AND weight > 2500", true),
            Case("age BETWEEN 15 AND 19", true), Case("age >= 15 AND age <= 19", true),
            Case("age NOT BETWEEN 15 AND 19", false), Case("age < 15 OR age > 19", false),
            Case("Country IN (' UK', 'US', 'France')", false), Case("Country IN ('UK', 'US', 'France')", true),
            Case("Country NOT IN (' UK', 'US', 'France')", true),
            Case("phone LIKE '12%3'", true), Case("word LIKE 'l_se'", true),
            Case(#"underscored LIKE '\_%' ESCAPE '\'"#, true), Case("prop_name IS NULL", true),
            Case("prop_name IS NOT NULL", false),
        ], subject: car)
    }

    func testSpecLikeCounterExamples() {
        assertCases([Case("phone LIKE '12%3'", false), Case("word LIKE 'l_se'", false),
                     Case(#"underscored LIKE '\_%' ESCAPE '\'"#, false)],
                    subject: ["phone": "1234", "word": "loose", "underscored": "name"])
    }

    func testEscapeCharacterThatIsAlsoAWildcard() {
        // With '%' as the escape, "%%" is a literal percent and a lone '_' is still a wildcard.
        assertCases([Case("p LIKE '5%%_' ESCAPE '%'", true), Case("q LIKE '5%%_' ESCAPE '%'", false)],
                    subject: ["p": "5%x", "q": "55x"])
    }

    func testErrorsAreComparable() {
        let first = Result { () throws(SelectorError) in try MessageSelector("a = ") }
        let second = Result { () throws(SelectorError) in try MessageSelector("a = ") }
        guard case .failure(let a) = first, case .failure(let b) = second else {
            return XCTFail("both compilations should fail")
        }
        XCTAssertEqual(a, b, "same input gives equal SelectorErrors")
        XCTAssertEqual(a.offset, 4, "error offset for a dangling '='")
    }
}
