/// The nine frame bodies of the AMQP transport (descriptor codes 0x10–0x18).
public enum AMQPPerformative: Hashable, Sendable {
    case open(AMQPOpen)
    case begin(AMQPBegin)
    case attach(AMQPAttach)
    case flow(AMQPFlow)
    case transfer(AMQPTransfer)
    case disposition(AMQPDisposition)
    case detach(AMQPDetach)
    case end(AMQPEnd)
    case close(AMQPClose)

    public init(decoding value: AMQPValue) throws(AMQPDecodeError) {
        if AMQPOpen.matches(value) { self = .open(try AMQPOpen(decoding: value)) }
        else if AMQPBegin.matches(value) { self = .begin(try AMQPBegin(decoding: value)) }
        else if AMQPAttach.matches(value) { self = .attach(try AMQPAttach(decoding: value)) }
        else if AMQPFlow.matches(value) { self = .flow(try AMQPFlow(decoding: value)) }
        else if AMQPTransfer.matches(value) { self = .transfer(try AMQPTransfer(decoding: value)) }
        else if AMQPDisposition.matches(value) { self = .disposition(try AMQPDisposition(decoding: value)) }
        else if AMQPDetach.matches(value) { self = .detach(try AMQPDetach(decoding: value)) }
        else if AMQPEnd.matches(value) { self = .end(try AMQPEnd(decoding: value)) }
        else if AMQPClose.matches(value) { self = .close(try AMQPClose(decoding: value)) }
        else { throw .unexpectedDescriptor(expected: "performative", found: value) }
    }

    public var amqpValue: AMQPValue {
        switch self {
        case .open(let p): return p.amqpValue
        case .begin(let p): return p.amqpValue
        case .attach(let p): return p.amqpValue
        case .flow(let p): return p.amqpValue
        case .transfer(let p): return p.amqpValue
        case .disposition(let p): return p.amqpValue
        case .detach(let p): return p.amqpValue
        case .end(let p): return p.amqpValue
        case .close(let p): return p.amqpValue
        }
    }
}
