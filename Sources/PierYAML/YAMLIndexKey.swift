/// The coding key of a sequence item (`Index 3`), and of `superDecoder()`'s `super`.
struct YAMLIndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    static let superKey = YAMLIndexKey(stringValue: "super")

    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init?(intValue: Int) {
        self.init(index: intValue)
    }
}
