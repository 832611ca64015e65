/// Delivery states (0x23–0x27). `received` is the only non-terminal one; the other four are outcomes.
public enum AMQPDeliveryState: Hashable, Sendable {
    case received(sectionNumber: UInt32, sectionOffset: UInt64)
    case accepted
    case rejected(AMQPError?)
    case released
    case modified(deliveryFailed: Bool, undeliverableHere: Bool, messageAnnotations: AMQPMap?)

    public static let receivedCode: UInt64 = 0x23
    public static let acceptedCode: UInt64 = 0x24
    public static let rejectedCode: UInt64 = 0x25
    public static let releasedCode: UInt64 = 0x26
    public static let modifiedCode: UInt64 = 0x27

    public var isTerminal: Bool {
        if case .received = self { return false }
        return true
    }

    public var amqpValue: AMQPValue {
        let code: UInt64
        var fields: [AMQPValue] = []
        switch self {
        case .received(let number, let offset):
            code = Self.receivedCode
            fields = [.uint(number), .ulong(offset)]
        case .accepted:
            code = Self.acceptedCode
        case .rejected(let error):
            code = Self.rejectedCode
            if let error { fields = [error.amqpValue] }
        case .released:
            code = Self.releasedCode
        case .modified(let failed, let undeliverable, let annotations):
            code = Self.modifiedCode
            var writer = AMQPFieldWriter()
            writer.append(failed, default: false)
            writer.append(undeliverable, default: false)
            writer.append(annotations)
            fields = writer.trimmed
        }
        return .described(descriptor: .ulong(code), value: .list(fields))
    }

    public init(decoding value: AMQPValue) throws(AMQPDecodeError) {
        guard case .described(let descriptor, let body) = value else {
            throw .unexpectedDescriptor(expected: "delivery-state", found: value)
        }
        let fields: [AMQPValue]
        switch body {
        case .list(let list): fields = list
        case .null: fields = []
        default: throw .invalidField(type: "delivery-state", field: "(body)", found: body)
        }
        func field(_ i: Int) -> AMQPValue? { i < fields.count && !fields[i].isNull ? fields[i] : nil }
        func bool(_ i: Int, _ name: String) throws(AMQPDecodeError) -> Bool {
            guard let v = field(i) else { return false }
            guard case .boolean(let b) = v else { throw .invalidField(type: "amqp:modified:list", field: name, found: v) }
            return b
        }
        let code: UInt64
        switch descriptor {
        case .ulong(let c): code = c
        case .symbol("amqp:received:list"): code = Self.receivedCode
        case .symbol("amqp:accepted:list"): code = Self.acceptedCode
        case .symbol("amqp:rejected:list"): code = Self.rejectedCode
        case .symbol("amqp:released:list"): code = Self.releasedCode
        case .symbol("amqp:modified:list"): code = Self.modifiedCode
        default: throw .unexpectedDescriptor(expected: "delivery-state", found: value)
        }
        switch code {
        case Self.receivedCode:
            guard case .uint(let number)? = field(0) else { throw .missingMandatoryField(type: "amqp:received:list", field: "section-number") }
            guard case .ulong(let offset)? = field(1) else { throw .missingMandatoryField(type: "amqp:received:list", field: "section-offset") }
            self = .received(sectionNumber: number, sectionOffset: offset)
        case Self.acceptedCode:
            self = .accepted
        case Self.rejectedCode:
            self = .rejected(try field(0).map { v throws(AMQPDecodeError) in try AMQPError(decoding: v) })
        case Self.releasedCode:
            self = .released
        case Self.modifiedCode:
            var annotations: AMQPMap?
            if let v = field(2) {
                guard case .map(let m) = v else { throw .invalidField(type: "amqp:modified:list", field: "message-annotations", found: v) }
                annotations = m
            }
            self = .modified(deliveryFailed: try bool(0, "delivery-failed"), undeliverableHere: try bool(1, "undeliverable-here"),
                             messageAnnotations: annotations)
        default:
            throw .unexpectedDescriptor(expected: "delivery-state", found: value)
        }
    }
}
