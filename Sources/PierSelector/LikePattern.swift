/// A LIKE pattern compiled once into literal scalars and wildcards.
///
/// Matching is the two-pointer wildcard algorithm: on a mismatch it only ever retries from the
/// most recent '%', so the cost is O(pattern × text) in the worst case and never exponential.
struct LikePattern: Sendable {
    enum Element: Equatable, Sendable {
        case scalar(Unicode.Scalar)
        case anyOne    // _
        case anyRun    // %
    }

    let elements: [Element]

    /// Why a pattern is rejected; the parser turns it into a SelectorError at the right offset.
    enum Problem: Error { case danglingEscape }

    init(_ pattern: String, escape: Unicode.Scalar?) throws(Problem) {
        var elements: [Element] = []
        var iterator = pattern.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == escape {
                // ActiveMQ takes any escaped character literally, not only % _ and the escape.
                guard let literal = iterator.next() else { throw .danglingEscape }
                elements.append(.scalar(literal))
            } else if scalar == "%" {
                // Collapsing runs of % keeps the backtracking state to a single point.
                if elements.last != .anyRun { elements.append(.anyRun) }
            } else if scalar == "_" {
                elements.append(.anyOne)
            } else {
                elements.append(.scalar(scalar))
            }
        }
        self.elements = elements
    }

    func matches(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        var t = scalars.startIndex
        var p = 0
        // Where the last '%' was and which text position it is currently assumed to end at.
        var runPattern: Int? = nil
        var runText = t

        while t != scalars.endIndex {
            if p < elements.count {
                switch elements[p] {
                case .anyRun:
                    runPattern = p
                    runText = t
                    p += 1
                    continue
                case .anyOne:
                    t = scalars.index(after: t)
                    p += 1
                    continue
                case .scalar(let expected) where expected == scalars[t]:
                    t = scalars.index(after: t)
                    p += 1
                    continue
                case .scalar:
                    break
                }
            }
            guard let run = runPattern else { return false }
            // Let the last '%' swallow one more scalar and retry the rest of the pattern.
            runText = scalars.index(after: runText)
            t = runText
            p = run + 1
        }
        while p < elements.count, elements[p] == .anyRun { p += 1 }
        return p == elements.count
    }
}
