/// A typed application property value, as JMS, AMQP and STOMP carry them (MQTT 5 user properties are strings).
public enum PropertyValue: Sendable, Hashable {
    case bool(Bool)
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    case string(String)
    case bytes([UInt8])

    /// How text protocols (MQTT 5 user properties, STOMP headers) render the value, as ActiveMQ does.
    public var stringValue: String {
        switch self {
        case .bool(let v): return v ? "true" : "false"
        case .int8(let v): return String(v)
        case .int16(let v): return String(v)
        case .int32(let v): return String(v)
        case .int64(let v): return String(v)
        case .float(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return v
        case .bytes(let v): return String(decoding: v, as: UTF8.self)
        }
    }
}

extension PropertyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// One application property. A list, not a dictionary: MQTT 5 user properties keep their order and may repeat.
public struct MessageProperty: Sendable, Hashable {
    public var name: String
    public var value: PropertyValue

    public init(_ name: String, _ value: PropertyValue) {
        self.name = name
        self.value = value
    }
}
