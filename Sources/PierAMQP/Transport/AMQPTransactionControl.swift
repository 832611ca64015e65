import NIOCore

/// What a transaction controller sends to the coordinator, as the `amqp-value` body of a message:
/// `declare` (0x31) starts a transaction, `discharge` (0x32) commits it or, with `fail`, rolls it back.
public enum AMQPTransactionControl: Hashable, Sendable {
    case declare
    case discharge(txnID: ByteBuffer, fail: Bool)

    public static let declareCode: UInt64 = 0x31
    public static let dischargeCode: UInt64 = 0x32
    public static let coordinatorCode: UInt64 = 0x30

    public init(decoding value: AMQPValue) throws(AMQPDecodeError) {
        guard case .described(let descriptor, let body) = value else {
            throw .unexpectedDescriptor(expected: "declare or discharge", found: value)
        }
        let fields: [AMQPValue]
        switch body {
        case .list(let list): fields = list
        case .null: fields = []
        default: throw .invalidField(type: "transaction control", field: "(body)", found: body)
        }
        switch descriptor {
        case .ulong(Self.declareCode), .symbol("amqp:declare:list"):
            // A global-id would join a distributed transaction, which Pier does not coordinate.
            if fields.first.map({ !$0.isNull }) == true {
                throw .invalidField(type: "amqp:declare:list", field: "global-id", found: fields[0])
            }
            self = .declare
        case .ulong(Self.dischargeCode), .symbol("amqp:discharge:list"):
            guard case .binary(let id)? = fields.first else { throw .missingMandatoryField(type: "amqp:discharge:list", field: "txn-id") }
            var fail = false
            if fields.count > 1 {
                switch fields[1] {
                case .boolean(let b): fail = b
                case .null: break
                default: throw .invalidField(type: "amqp:discharge:list", field: "fail", found: fields[1])
                }
            }
            self = .discharge(txnID: id, fail: fail)
        default:
            throw .unexpectedDescriptor(expected: "declare or discharge", found: value)
        }
    }

    public var amqpValue: AMQPValue {
        switch self {
        case .declare:
            return .described(descriptor: .ulong(Self.declareCode), value: .list([]))
        case .discharge(let id, let fail):
            return .described(descriptor: .ulong(Self.dischargeCode), value: .list([.binary(id), .boolean(fail)]))
        }
    }
}
