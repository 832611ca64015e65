/// String identity by exact Unicode scalar sequence. JMS providers are Java and compare strings
/// code unit by code unit; Swift's `String ==` applies canonical equivalence, which would make
/// `=`/`IN` disagree with `LIKE` (scalar based) and with every other JMS broker.
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(value.utf8.count)
        for byte in value.utf8 { hasher.combine(byte) }
    }
}
