/// A key that accepts any name, so a mapping's real keys can be listed and
/// compared against the known ones (typed `CodingKeys` silently drop unknown keys).
struct ConfigCodingKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}
