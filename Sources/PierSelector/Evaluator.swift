/// Evaluates an `Expression` against one subject with SQL three-valued logic: every value is a
/// `SelectorValue?` and a `nil` result is NULL/UNKNOWN.
///
/// Numeric rules: int ∘ int stays Int64 and wraps on overflow (two's complement, as Java's long
/// arithmetic in ActiveMQ does), except integer division by zero which is UNKNOWN. Any double
/// operand promotes both sides to Double and follows IEEE 754 (x/0.0 is ±infinity or NaN).
struct Evaluator<Subject: SelectorSubject> {
    let subject: Subject

    func truth(_ expression: Expression) -> Bool? {
        if case .bool(let value) = value(expression) { return value }
        return nil
    }

    // value(_:) recurses once per tree level, so it only dispatches: at -Onone each case's
    // locals would otherwise all stay in its frame.
    func value(_ expression: Expression) -> SelectorValue? {
        switch expression {
        case .literal(let literal): return literal
        case .identifier(let name): return subject.selectorValue(for: name)
        case .booleanCast(let operand): return booleanCast(operand)
        case .negate(let operand): return negate(operand)
        case .unaryPlus(let operand): return unaryPlus(operand)
        case .arithmetic(let op, let lhs, let rhs): return arithmetic(op, lhs, rhs)
        case .comparison(let op, let lhs, let rhs): return comparison(op, lhs, rhs)
        case .between(let operand, let lower, let upper, let negated): return between(operand, lower, upper, negated)
        case .inList(let operand, let members, let negated): return inList(operand, members, negated)
        case .like(let operand, let pattern, let negated): return like(operand, pattern, negated)
        case .isNull(let operand, let negated): return .bool((value(operand) == nil) != negated)
        case .not(let operand): return truth(operand).map { .bool(!$0) }
        case .and(let terms): return and(terms)
        case .or(let terms): return or(terms)
        }
    }

    private func booleanCast(_ operand: Expression) -> SelectorValue? {
        // A non-boolean property used as a condition is UNKNOWN rather than ActiveMQ's FALSE,
        // so that `NOT flag` does not become TRUE for a string-valued `flag`.
        if case .bool(let flag) = value(operand) { return .bool(flag) }
        return nil
    }

    private func negate(_ operand: Expression) -> SelectorValue? {
        switch value(operand) {
        case .int(let number): return .int(0 &- number)
        case .double(let number): return .double(-number)
        default: return nil
        }
    }

    private func unaryPlus(_ operand: Expression) -> SelectorValue? {
        switch value(operand) {
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        default: return nil
        }
    }

    private func arithmetic(_ op: Expression.ArithmeticOperator, _ lhs: Expression, _ rhs: Expression) -> SelectorValue? {
        guard let left = value(lhs), let right = value(rhs) else { return nil }
        return Self.arithmetic(op, left, right)
    }

    private func comparison(_ op: Expression.ComparisonOperator, _ lhs: Expression, _ rhs: Expression) -> SelectorValue? {
        guard let left = value(lhs), let right = value(rhs) else { return nil }
        return Self.compare(op, left, right).map(SelectorValue.bool)
    }

    private func between(_ operand: Expression, _ lower: Expression, _ upper: Expression, _ negated: Bool) -> SelectorValue? {
        guard let subjectValue = value(operand), let low = value(lower), let high = value(upper) else { return nil }
        let aboveLow = Self.compare(.greaterEqual, subjectValue, low)
        let belowHigh = Self.compare(.lessEqual, subjectValue, high)
        return Self.and(aboveLow, belowHigh).map { .bool($0 != negated) }
    }

    private func inList(_ operand: Expression, _ members: Set<ExactString>, _ negated: Bool) -> SelectorValue? {
        guard case .string(let text) = value(operand) else { return nil }
        return .bool(members.contains(ExactString(text)) != negated)
    }

    private func like(_ operand: Expression, _ pattern: LikePattern, _ negated: Bool) -> SelectorValue? {
        guard case .string(let text) = value(operand) else { return nil }
        return .bool(pattern.matches(text) != negated)
    }

    private func and(_ terms: [Expression]) -> SelectorValue? {
        // FALSE dominates UNKNOWN; short-circuit on the first FALSE.
        var sawUnknown = false
        for term in terms {
            switch truth(term) {
            case false?: return .bool(false)
            case nil: sawUnknown = true
            case true?: break
            }
        }
        return sawUnknown ? nil : .bool(true)
    }

    private func or(_ terms: [Expression]) -> SelectorValue? {
        // TRUE dominates UNKNOWN; short-circuit on the first TRUE.
        var sawUnknown = false
        for term in terms {
            switch truth(term) {
            case true?: return .bool(true)
            case nil: sawUnknown = true
            case false?: break
            }
        }
        return sawUnknown ? nil : .bool(false)
    }

    private static func and(_ lhs: Bool?, _ rhs: Bool?) -> Bool? {
        if lhs == false || rhs == false { return false }
        if lhs == nil || rhs == nil { return nil }
        return true
    }

    private static func arithmetic(
        _ op: Expression.ArithmeticOperator, _ lhs: SelectorValue, _ rhs: SelectorValue
    ) -> SelectorValue? {
        if case .int(let a) = lhs, case .int(let b) = rhs {
            switch op {
            case .add: return .int(a &+ b)
            case .subtract: return .int(a &- b)
            case .multiply: return .int(a &* b)
            case .divide:
                guard b != 0 else { return nil }
                // Int64.min / -1 overflows; wrapping gives Int64.min, as in Java.
                return .int(a.dividedReportingOverflow(by: b).partialValue)
            }
        }
        guard let a = asDouble(lhs), let b = asDouble(rhs) else { return nil }
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide: return .double(a / b)
        }
    }

    private static func asDouble(_ value: SelectorValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .bool, .string: return nil
        }
    }

    /// nil (UNKNOWN) for mismatched types and for ordering strings or booleans.
    static func compare(
        _ op: Expression.ComparisonOperator, _ lhs: SelectorValue, _ rhs: SelectorValue
    ) -> Bool? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)):
            // Compared as Int64 so large longs that differ only past 2^53 stay distinct.
            return ordered(op, a, b)
        case (.int, .double), (.double, .int), (.double, .double):
            guard let a = asDouble(lhs), let b = asDouble(rhs) else { return nil }
            return ordered(op, a, b)
        case (.string(let a), .string(let b)):
            return equality(op, ExactString(a) == ExactString(b))
        case (.bool(let a), .bool(let b)):
            return equality(op, a == b)
        default:
            return nil
        }
    }

    private static func equality(_ op: Expression.ComparisonOperator, _ equal: Bool) -> Bool? {
        switch op {
        case .equal: return equal
        case .notEqual: return !equal
        case .less, .lessEqual, .greater, .greaterEqual: return nil
        }
    }

    private static func ordered<T: Comparable>(_ op: Expression.ComparisonOperator, _ a: T, _ b: T) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        }
    }
}
