/// The compiled selector. Evaluation walks this tree, so it is built once per selector and
/// shared (immutably) by every evaluation.
indirect enum Expression: Sendable {
    enum ArithmeticOperator: Sendable { case add, subtract, multiply, divide }
    enum ComparisonOperator: Sendable { case equal, notEqual, less, lessEqual, greater, greaterEqual }

    /// `nil` is the NULL literal, accepted as ActiveMQ does; it always yields UNKNOWN.
    case literal(SelectorValue?)
    case identifier(String)
    /// A bare identifier in a boolean position: TRUE/FALSE only when the property is a bool.
    case booleanCast(Expression)
    case negate(Expression)
    /// Unary '+': passes numbers through and makes anything else UNKNOWN, so `+'a'` at run time
    /// behaves like other arithmetic on a non-number.
    case unaryPlus(Expression)
    case arithmetic(ArithmeticOperator, Expression, Expression)
    case comparison(ComparisonOperator, Expression, Expression)
    case between(Expression, lower: Expression, upper: Expression, negated: Bool)
    case inList(Expression, Set<ExactString>, negated: Bool)
    case like(Expression, LikePattern, negated: Bool)
    case isNull(Expression, negated: Bool)
    case not(Expression)
    // AND/OR chains are n-ary so a long "a OR b OR c ..." stays flat: evaluation depth (and
    // the nesting limit) then only grows with real nesting, not with the number of terms.
    case and([Expression])
    case or([Expression])
}
