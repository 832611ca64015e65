/// An AMQP map in wire order. Kept as pairs rather than a dictionary so a decoded map re-encodes
/// byte for byte, and so keys of any AMQP type (including floats) need no special handling.
public struct AMQPMap: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public struct Entry: Hashable, Sendable {
        public var key: AMQPValue
        public var value: AMQPValue

        public init(key: AMQPValue, value: AMQPValue) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public init(dictionaryLiteral elements: (AMQPValue, AMQPValue)...) {
        self.entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public subscript(key: AMQPValue) -> AMQPValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }
}
