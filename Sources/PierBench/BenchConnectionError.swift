/// Why a bench connection did not get ready or failed later.
struct BenchConnectionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
