import XCTest
@testable import PierSelector

/// SQL three-valued logic. `u` is UNKNOWN: a comparison on a missing property.
final class ThreeValuedLogicTests: XCTestCase {
    private let unknown = "missing = 1"

    private func operand(_ value: Bool?) -> String {
        switch value {
        case true?: return "TRUE"
        case false?: return "FALSE"
        case nil: return "(\(unknown))"
        }
    }

    func testAndTruthTable() {
        let table: [(Bool?, Bool?, Bool?)] = [
            (true, true, true), (true, false, false), (true, nil, nil),
            (false, true, false), (false, false, false), (false, nil, false),
            (nil, true, nil), (nil, false, false), (nil, nil, nil),
        ]
        assertCases(table.map { Case("\(operand($0.0)) AND \(operand($0.1))", $0.2) })
    }

    func testOrTruthTable() {
        let table: [(Bool?, Bool?, Bool?)] = [
            (true, true, true), (true, false, true), (true, nil, true),
            (false, true, true), (false, false, false), (false, nil, nil),
            (nil, true, true), (nil, false, nil), (nil, nil, nil),
        ]
        assertCases(table.map { Case("\(operand($0.0)) OR \(operand($0.1))", $0.2) })
    }

    func testNotTruthTable() {
        assertCases([Case("NOT TRUE", false), Case("NOT FALSE", true), Case("NOT (\(unknown))", nil)])
    }

    func testLongChainsShortCircuitCorrectly() {
        assertCases([
            Case("missing = 1 OR missing = 2 OR i = 7", true),
            Case("missing = 1 AND i = 7 AND FALSE", false),
            Case("missing = 1 OR FALSE OR missing > 2", nil),
            Case("TRUE AND TRUE AND TRUE AND TRUE", true),
        ])
    }

    func testNullPropagatesThroughEveryOperator() {
        assertCases([
            Case("missing = 1", nil), Case("missing <> 1", nil), Case("missing < 1", nil),
            Case("missing + 1 = 1", nil), Case("-missing = 0", nil), Case("missing * 0 = 0", nil),
            Case("missing = missing", nil), Case("missing = 'x'", nil), Case("missing = TRUE", nil),
            Case("missing BETWEEN 1 AND 2", nil), Case("missing NOT BETWEEN 1 AND 2", nil),
            Case("i BETWEEN missing AND 10", nil), Case("i BETWEEN 1 AND missing", nil),
            Case("missing LIKE 'a%'", nil), Case("missing NOT LIKE 'a%'", nil),
            Case("missing IN ('a')", nil), Case("missing NOT IN ('a')", nil),
            Case("NOT missing", nil), Case("missing", nil),
        ])
    }

    func testIsNullAndIsNotNull() {
        assertCases([
            Case("missing IS NULL", true), Case("missing IS NOT NULL", false),
            Case("i IS NULL", false), Case("i IS NOT NULL", true),
            Case("empty IS NULL", false), Case("f IS NOT NULL", true),
            Case("missing + 1 IS NULL", true), Case("i / 0 IS NULL", true),
            Case("(missing = 1) IS NULL", true), Case("NOT missing IS NULL", false),
        ])
    }

    func testNullLiteralIsAcceptedAndAlwaysUnknown() {
        assertCases([Case("i = NULL", nil), Case("NULL IS NULL", true), Case("NOT (NULL = NULL)", nil)])
    }

    func testBareIdentifierAsCondition() {
        assertCases([
            Case("t", true), Case("f", false), Case("NOT t", false), Case("NOT f", true),
            Case("t AND i = 7", true), Case("f OR t", true), Case("(t)", true),
            // A non-boolean property used as a condition is UNKNOWN, in both polarities.
            Case("s", nil), Case("NOT s", nil), Case("i", nil),
        ])
    }

    func testBetweenWithAnyNullOperandIsUnknown() {
        // Unlike the expansion (x >= lo AND x <= hi), whose FALSE half would decide, any NULL
        // operand makes BETWEEN UNKNOWN, as specified for this module.
        assertCases([Case("i BETWEEN 8 AND missing", nil), Case("i NOT BETWEEN 8 AND missing", nil)])
    }
}
