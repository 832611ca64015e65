import NIOCore

/// Delivery states (0x23–0x27), and the transaction ones (0x33 declared, 0x34 transactional-state).
/// `received` is the only non-terminal one.
public indirect enum AMQPDeliveryState: Hashable, Sendable {
    case received(sectionNumber: UInt32, sectionOffset: UInt64)
    case accepted
    case rejected(AMQPError?)
    case released
    case modified(deliveryFailed: Bool, undeliverableHere: Bool, messageAnnotations: AMQPMap?)
    /// The coordinator's answer to a declare: the new transaction's id.
    case declared(txnID: ByteBuffer)
    /// A transfer or outcome that belongs to transaction `txnID`.
    case transactional(txnID: ByteBuffer, outcome: AMQPDeliveryState?)

    public static let receivedCode: UInt64 = 0x23
    public static let acceptedCode: UInt64 = 0x24
    public static let rejectedCode: UInt64 = 0x25
    public static let releasedCode: UInt64 = 0x26
    public static let modifiedCode: UInt64 = 0x27
    public static let declaredCode: UInt64 = 0x33
    public static let transactionalCode: UInt64 = 0x34

    public var isTerminal: Bool {
        switch self {
        case .received: return false
        case .transactional(_, let outcome): return outcome != nil
        default: return true
        }
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
        case .declared(let id):
            code = Self.declaredCode
            fields = [.binary(id)]
        case .transactional(let id, let outcome):
            code = Self.transactionalCode
            fields = [.binary(id)]
            if let outcome { fields.append(outcome.amqpValue) }
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
        case .symbol("amqp:declared:list"): code = Self.declaredCode
        case .symbol("amqp:transactional-state:list"): code = Self.transactionalCode
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
        case Self.declaredCode:
            guard case .binary(let id)? = field(0) else { throw .missingMandatoryField(type: "amqp:declared:list", field: "txn-id") }
            self = .declared(txnID: id)
        case Self.transactionalCode:
            guard case .binary(let id)? = field(0) else {
                throw .missingMandatoryField(type: "amqp:transactional-state:list", field: "txn-id")
            }
            self = .transactional(txnID: id, outcome: try field(1).map { v throws(AMQPDecodeError) in try AMQPDeliveryState(decoding: v) })
        default:
            throw .unexpectedDescriptor(expected: "delivery-state", found: value)
        }
    }
}
