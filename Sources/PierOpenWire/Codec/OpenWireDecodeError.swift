/// Why bytes could not become an OpenWire command: what went wrong (`reason`), in which field (`field`,
/// with the fields enclosing it in `path`), and where (`offset`, counted in bytes from the start of the
/// frame body, i.e. after the 4-byte size prefix; 0 is the type byte).
///
/// Every error is fatal for the connection: OpenWire has no resynchronisation point, so a broker answers
/// with a ConnectionError (when it still can) and closes.
public struct OpenWireDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The size prefix is negative (ActiveMQ: "Frame size ... can't be negative").
        case negativeFrameSize(Int32)
        /// The size prefix is 0: a frame holds at least its type byte.
        case emptyFrame
        /// The size prefix is over `OpenWireFormatOptions.maxFrameSize`; reported before the body is buffered.
        case frameTooLarge(size: Int, limit: Int)
        /// A fixed-size field (a boolean, an int, the magic...) runs past the end of the frame.
        case truncated(needed: Int, available: Int)
        /// A length prefix (string, byte array, object array, map) claims more than the frame has left.
        case lengthBeyondFrame(length: Int, available: Int)
        /// A length or count prefix is negative where only -1 (null) or nothing negative is allowed.
        case negativeLength(Int)
        /// The command ended before its frame did. ActiveMQ would read the rest as the next frame and lose
        /// sync; Pier refuses instead.
        case trailingBytes(Int)
        /// A boolean byte that is neither 0 nor 1. Java's `readBoolean` takes any non-zero byte as true,
        /// but `writeBoolean` only writes 0 and 1; insisting on them keeps decode/encode a bijection.
        case invalidBoolean(UInt8)
        /// A type byte no v12 marshaller is registered for.
        case unknownType(UInt8)
        /// A type v12 knows but Pier does not decode (see `OpenWireTypeID.unsupported`).
        case unsupportedType(UInt8)
        /// A known type in a field that cannot hold it (a ConsumerId where a destination belongs...).
        case unexpectedType(UInt8)
        /// A frame whose top-level object is a data structure (an id, a destination), not a command.
        case notACommand(UInt8)
        /// A frame holding only the null type (0); ActiveMQ hands `null` to its transport, Pier refuses it.
        case nullCommand
        /// Bytes that are not Java modified UTF-8 (bad lead byte, missing continuation, cut sequence).
        case malformedString
        /// Objects, exception causes, or primitive maps and lists nested deeper than the limit.
        case nestingTooDeep(limit: Int)
        /// A WireFormatInfo whose first 8 bytes are not "ActiveMQ".
        case badMagic([UInt8])
        /// A marshalling-cache index outside the negotiated cache size (-1 alone means "not cached").
        case invalidCacheIndex(Int16)
        /// A cache reference to a slot no earlier frame filled.
        case cacheMiss(Int16)
        /// A primitive-map or stream value whose type tag is not one of MarshallingSupport's 0...13.
        case unknownPrimitiveType(UInt8)
        /// A compressed (deflated) message body whose zlib stream is damaged or inflates past the limit.
        case badCompressedBody
        /// A body helper asked of a message of another kind (text of a map message...).
        case wrongMessageKind(OpenWireTypeID)
    }

    public var reason: Reason
    /// The innermost field being read, as `Type.field` (`ConsumerInfo.selector`, `ConsumerId.value`).
    public var field: String
    /// The fields enclosing `field`, outermost first (`MessageDispatch.message`, `Message.producerId`).
    public var path: [String]
    /// Byte offset within the frame body (or within the decoded bytes, for body and property helpers).
    public var offset: Int

    public init(_ reason: Reason, field: String, path: [String] = [], offset: Int) {
        self.reason = reason
        self.field = field
        self.path = path
        self.offset = offset
    }

    /// The same error seen from the field that encloses it.
    func within(_ outer: String) -> Self {
        var copy = self
        copy.path.insert(outer, at: 0)
        return copy
    }

    public var description: String {
        let location = (path + [field]).joined(separator: " > ")
        return "\(reasonText) at \(location), offset \(offset)"
    }

    private var reasonText: String {
        switch reason {
        case .negativeFrameSize(let n): return "negative frame size \(n)"
        case .emptyFrame: return "empty frame"
        case .frameTooLarge(let size, let limit): return "frame of \(size) bytes exceeds the maximum of \(limit)"
        case .truncated(let needed, let available): return "needs \(needed) bytes, frame has \(available) left"
        case .lengthBeyondFrame(let length, let available):
            return "length \(length) exceeds the \(available) bytes left in the frame"
        case .negativeLength(let n): return "negative length \(n)"
        case .trailingBytes(let n): return "\(n) bytes left after the command"
        case .invalidBoolean(let b): return "boolean byte \(b) is neither 0 nor 1"
        case .unknownType(let t): return "unknown data type \(t)"
        case .unsupportedType(let t): return "unsupported data type \(OpenWireTypeID(rawValue: t))"
        case .unexpectedType(let t): return "unexpected data type \(OpenWireTypeID(rawValue: t))"
        case .notACommand(let t): return "\(OpenWireTypeID(rawValue: t)) is not a command"
        case .nullCommand: return "null command"
        case .malformedString: return "malformed modified UTF-8"
        case .nestingTooDeep(let limit): return "nesting deeper than \(limit)"
        case .badMagic: return "bad WireFormatInfo magic"
        case .invalidCacheIndex(let i): return "cache index \(i) out of range"
        case .cacheMiss(let i): return "cache slot \(i) is empty"
        case .unknownPrimitiveType(let t): return "unknown primitive type \(t)"
        case .badCompressedBody: return "damaged compressed body"
        case .wrongMessageKind(let t): return "not a body of \(t)"
        }
    }
}
