/// Why bytes could not become an AMQP value, frame or performative. Every malformed input ends
/// here; the decoders never trap on peer data.
public enum AMQPDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the encoding needs. Frame decoding waits for more instead; inside a
    /// complete frame body it is a real error.
    case truncated(needed: Int, available: Int)
    /// A compound's declared size is larger than what is left of its container.
    case sizeExceedsBuffer(declared: Int, available: Int)
    /// A compound's elements did not fill exactly its declared size.
    case sizeMismatch(declared: Int, consumed: Int)
    /// A compound claims more elements than its bytes can hold.
    case countExceedsSize(count: Int, size: Int)
    case oddMapElementCount(Int)
    case invalidUTF8
    case invalidSymbol
    case invalidChar(UInt32)
    case invalidBoolean(UInt8)
    case unknownFormatCode(UInt8)
    case nestingTooDeep(limit: Int)
    /// An array's element constructor cannot be used for array elements (e.g. a nested descriptor).
    case invalidArrayElementConstructor(UInt8)
    /// A described type arrived where another was required.
    case unexpectedDescriptor(expected: String, found: AMQPValue)
    /// A composite's field holds a value of the wrong type.
    case invalidField(type: String, field: String, found: AMQPValue)
    case missingMandatoryField(type: String, field: String)
    /// Bytes left over after a value that must fill its container (a frame body, a section).
    case trailingBytes(Int)

    // Framing
    case frameTooLarge(size: UInt32, max: UInt32)
    case invalidFrameSize(UInt32)
    case invalidDataOffset(UInt8)
    case unknownFrameType(UInt8)
    case invalidProtocolHeader([UInt8])

    public var description: String {
        switch self {
        case .truncated(let needed, let available): return "truncated: need \(needed) bytes, have \(available)"
        case .sizeExceedsBuffer(let declared, let available): return "declared size \(declared) exceeds the \(available) bytes available"
        case .sizeMismatch(let declared, let consumed): return "declared size \(declared) but elements used \(consumed)"
        case .countExceedsSize(let count, let size): return "\(count) elements cannot fit in \(size) bytes"
        case .oddMapElementCount(let count): return "map with odd element count \(count)"
        case .invalidUTF8: return "string is not valid UTF-8"
        case .invalidSymbol: return "symbol is not ASCII"
        case .invalidChar(let value): return "char 0x\(String(value, radix: 16)) is not a Unicode scalar"
        case .invalidBoolean(let value): return "boolean byte 0x\(String(value, radix: 16)) is neither 0 nor 1"
        case .unknownFormatCode(let code): return "unknown format code 0x\(String(code, radix: 16))"
        case .nestingTooDeep(let limit): return "nesting deeper than \(limit)"
        case .invalidArrayElementConstructor(let code): return "array element constructor 0x\(String(code, radix: 16)) not allowed"
        case .unexpectedDescriptor(let expected, let found): return "expected \(expected), found \(found)"
        case .invalidField(let type, let field, let found): return "\(type).\(field): unexpected value \(found)"
        case .missingMandatoryField(let type, let field): return "\(type).\(field) is mandatory"
        case .trailingBytes(let count): return "\(count) unexpected trailing bytes"
        case .frameTooLarge(let size, let max): return "frame of \(size) bytes exceeds max-frame-size \(max)"
        case .invalidFrameSize(let size): return "frame size \(size) is smaller than the 8-byte header"
        case .invalidDataOffset(let doff): return "data offset \(doff) is invalid"
        case .unknownFrameType(let type): return "unknown frame type \(type)"
        case .invalidProtocolHeader(let bytes): return "invalid protocol header \(bytes)"
        }
    }
}
