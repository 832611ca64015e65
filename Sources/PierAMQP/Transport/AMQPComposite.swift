import NIOCore

/// A described list with named fields (performatives, SASL frames, delivery states, sections, ...).
public protocol AMQPComposite: Hashable, Sendable {
    static var descriptorCode: UInt64 { get }
    static var descriptorName: String { get }
    init(fields: AMQPFieldReader) throws(AMQPDecodeError)
    func writeFields(into fields: inout AMQPFieldWriter)
}

extension AMQPComposite {
    public init(decoding value: AMQPValue) throws(AMQPDecodeError) {
        try self.init(fields: AMQPFieldReader(value, type: Self.self))
    }

    public var amqpValue: AMQPValue {
        var writer = AMQPFieldWriter()
        writeFields(into: &writer)
        return .described(descriptor: .ulong(Self.descriptorCode), value: .list(writer.trimmed))
    }

    /// Whether `value` is described as this type, by code or by symbolic name.
    public static func matches(_ value: AMQPValue) -> Bool {
        guard case .described(let descriptor, _) = value else { return false }
        switch descriptor {
        case .ulong(let code): return code == descriptorCode
        case .symbol(let name): return name == descriptorName
        default: return false
        }
    }
}

/// Collects composite fields in order; trailing nulls are left off the wire, as the spec allows.
public struct AMQPFieldWriter {
    var values: [AMQPValue] = []

    public init() {}

    public mutating func append(_ value: AMQPValue?) { values.append(value ?? .null) }
    public mutating func append(_ value: UInt32?) { append(value.map(AMQPValue.uint)) }
    public mutating func append(_ value: UInt16?) { append(value.map(AMQPValue.ushort)) }
    public mutating func append(_ value: UInt8?) { append(value.map(AMQPValue.ubyte)) }
    public mutating func append(_ value: UInt64?) { append(value.map(AMQPValue.ulong)) }
    public mutating func append(_ value: String?) { append(value.map(AMQPValue.string)) }
    public mutating func append(symbol value: String?) { append(value.map(AMQPValue.symbol)) }
    public mutating func append(_ value: ByteBuffer?) { append(value.map(AMQPValue.binary)) }
    public mutating func append(_ value: AMQPMap?) { append(value.map(AMQPValue.map)) }
    /// A boolean whose default is `defaultValue` is omitted when it has that value.
    public mutating func append(_ value: Bool, default defaultValue: Bool) {
        append(value == defaultValue ? nil : AMQPValue.boolean(value))
    }
    /// A "multiple" symbol field: one symbol alone, several as an array.
    public mutating func append(symbols: [String]) {
        switch symbols.count {
        case 0: append(nil as AMQPValue?)
        case 1: append(.symbol(symbols[0]))
        default: append(.array(symbols.map(AMQPValue.symbol)))
        }
    }
    public mutating func append<C: AMQPComposite>(_ value: C?) { append(value?.amqpValue) }

    var trimmed: [AMQPValue] {
        var end = values.count
        while end > 0, values[end - 1].isNull { end -= 1 }
        return Array(values[..<end])
    }
}

/// Typed access to the fields of a decoded composite; absent and null fields read as nil.
public struct AMQPFieldReader {
    public let type: String
    public let values: [AMQPValue]

    init<C: AMQPComposite>(_ value: AMQPValue, type: C.Type) throws(AMQPDecodeError) {
        self.type = C.descriptorName
        guard C.matches(value), case .described(_, let body) = value else {
            throw .unexpectedDescriptor(expected: C.descriptorName, found: value)
        }
        switch body {
        case .list(let values): self.values = values
        case .null: self.values = []
        default: throw .invalidField(type: C.descriptorName, field: "(body)", found: body)
        }
    }

    public func value(_ index: Int) -> AMQPValue? {
        guard index < values.count, !values[index].isNull else { return nil }
        return values[index]
    }

    private func mismatch(_ name: String, _ value: AMQPValue) -> AMQPDecodeError {
        .invalidField(type: type, field: name, found: value)
    }

    public func required<T>(_ value: T?, _ name: String) throws(AMQPDecodeError) -> T {
        guard let value else { throw .missingMandatoryField(type: type, field: name) }
        return value
    }

    public func uint(_ index: Int, _ name: String) throws(AMQPDecodeError) -> UInt32? {
        guard let v = value(index) else { return nil }
        guard case .uint(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func ushort(_ index: Int, _ name: String) throws(AMQPDecodeError) -> UInt16? {
        guard let v = value(index) else { return nil }
        guard case .ushort(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func ubyte(_ index: Int, _ name: String) throws(AMQPDecodeError) -> UInt8? {
        guard let v = value(index) else { return nil }
        guard case .ubyte(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func ulong(_ index: Int, _ name: String) throws(AMQPDecodeError) -> UInt64? {
        guard let v = value(index) else { return nil }
        guard case .ulong(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func bool(_ index: Int, _ name: String) throws(AMQPDecodeError) -> Bool? {
        guard let v = value(index) else { return nil }
        guard case .boolean(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func timestamp(_ index: Int, _ name: String) throws(AMQPDecodeError) -> Int64? {
        guard let v = value(index) else { return nil }
        guard case .timestamp(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func string(_ index: Int, _ name: String) throws(AMQPDecodeError) -> String? {
        guard let v = value(index) else { return nil }
        guard case .string(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func symbol(_ index: Int, _ name: String) throws(AMQPDecodeError) -> String? {
        guard let v = value(index) else { return nil }
        guard case .symbol(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func binary(_ index: Int, _ name: String) throws(AMQPDecodeError) -> ByteBuffer? {
        guard let v = value(index) else { return nil }
        guard case .binary(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func map(_ index: Int, _ name: String) throws(AMQPDecodeError) -> AMQPMap? {
        guard let v = value(index) else { return nil }
        guard case .map(let x) = v else { throw mismatch(name, v) }
        return x
    }

    public func symbols(_ index: Int, _ name: String) throws(AMQPDecodeError) -> [String] {
        guard let v = value(index) else { return [] }
        switch v {
        case .symbol(let s): return [s]
        case .array(let elements):
            var result: [String] = []
            for element in elements {
                guard case .symbol(let s) = element else { throw mismatch(name, v) }
                result.append(s)
            }
            return result
        default: throw mismatch(name, v)
        }
    }

    public func composite<C: AMQPComposite>(_ index: Int, _ name: String, as: C.Type) throws(AMQPDecodeError) -> C? {
        guard let v = value(index) else { return nil }
        return try C(decoding: v)
    }
}
