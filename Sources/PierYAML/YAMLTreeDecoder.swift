/// `Decodable` over a composed `YAMLNode`, so config types keep their `init(from:)`.
///
/// Strings decode from any scalar; numbers, booleans and null only from what `YAMLScalar` resolves
/// as such (so a quoted `"1883"` is not an integer). A mapping's `<<` merge keys are applied.
/// Mismatches throw `DecodingError` with the coding path, for the caller to word.
public struct YAMLTreeDecoder: Decoder, SingleValueDecodingContainer {
    let node: YAMLNode
    public let codingPath: [any CodingKey]
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    public init(_ node: YAMLNode, codingPath: [any CodingKey] = []) {
        self.node = node
        self.codingPath = codingPath
    }

    public static func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws -> T {
        try YAMLTreeDecoder(node).decode(type)
    }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let pairs = node.mergedPairs else { throw mismatch("a mapping") }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self, pairs: pairs))
    }

    public func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .sequence(items, _) = node else { throw mismatch("a list") }
        return YAMLUnkeyedContainer(decoder: self, items: items)
    }

    public func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(_ node: YAMLNode, key: any CodingKey) -> YAMLTreeDecoder {
        YAMLTreeDecoder(node, codingPath: codingPath + [key])
    }

    // MARK: SingleValueDecodingContainer

    public func decodeNil() -> Bool {
        node.scalar?.isNull ?? false
    }

    public func decode(_ type: Bool.Type) throws -> Bool {
        guard let value = node.scalar?.bool else { throw mismatch("a boolean") }
        return value
    }

    public func decode(_ type: String.Type) throws -> String {
        guard let text = node.scalar?.text else { throw mismatch("a string") }
        return text
    }

    public func decode(_ type: Double.Type) throws -> Double {
        guard let value = node.scalar?.double else { throw mismatch("a number") }
        return value
    }

    public func decode(_ type: Float.Type) throws -> Float {
        Float(try decode(Double.self))
    }

    public func decode(_ type: Int.Type) throws -> Int {
        guard let value = node.scalar?.int else { throw mismatch("an integer") }
        return value
    }

    public func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    public func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    public func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    public func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    public func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    public func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    public func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    public func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    public func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: self)
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let value = T(exactly: try decode(Int.self)) else { throw mismatch("an integer that fits \(T.self)") }
        return value
    }

    /// "expected a string, got a list", in the config's wording.
    private func mismatch(_ expected: String) -> DecodingError {
        let found = switch node {
        case let .scalar(scalar): "\"\(scalar.text)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
        return DecodingError.typeMismatch(
            Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), got \(found)"))
    }
}
