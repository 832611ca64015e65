/// A YAML mapping seen through typed keys; only scalar keys can be named, as in any config.
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: YAMLTreeDecoder
    let pairs: [YAMLPair]

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        pairs.compactMap { $0.key.scalar.flatMap { Key(stringValue: $0.text) } }
    }

    func contains(_ key: Key) -> Bool {
        value(for: key) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try child(key).decodeNil()
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try child(key).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try child(YAMLIndexKey.superKey)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try child(key)
    }

    private func value(for key: some CodingKey) -> YAMLNode? {
        pairs.first { $0.key.scalar?.text == key.stringValue }?.value
    }

    private func child(_ key: some CodingKey) throws -> YAMLTreeDecoder {
        guard let node = value(for: key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return decoder.child(node, key: key)
    }
}
