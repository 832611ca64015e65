import NIOCore

/// Splits a byte stream into protocol headers and frames. It knows the stream grammar: a header
/// first, frames after it, and another header after a SASL outcome (the security layer is done
/// and the AMQP layer starts over).
public struct AMQPFrameDecoder {
    public enum Item: Hashable, Sendable {
        case header(AMQPProtocolHeader)
        case frame(AMQPFrame)
    }

    /// What we advertised as our max-frame-size: a peer sending more is broken or hostile.
    public var maxFrameSize: UInt32
    /// The next bytes are a protocol header. A server sets it after sending its SASL outcome, since
    /// only a client sees the outcome come in.
    public var expectingHeader = true

    public init(maxFrameSize: UInt32) {
        self.maxFrameSize = maxFrameSize
    }

    /// The next complete item, or nil until more bytes arrive.
    public mutating func next(_ buffer: inout ByteBuffer) throws(AMQPDecodeError) -> Item? {
        if expectingHeader {
            guard let header = try AMQPProtocolHeader.read(&buffer) else { return nil }
            expectingHeader = false
            return .header(header)
        }
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard size >= UInt32(AMQPFrame.headerSize) else { throw .invalidFrameSize(size) }
        guard size <= maxFrameSize else { throw .frameTooLarge(size: size, max: maxFrameSize) }
        guard buffer.readableBytes >= Int(size) else { return nil }
        var frameBytes = buffer.readSlice(length: Int(size))!
        let frame = try Self.decodeFrame(&frameBytes, size: size)
        if case .sasl(.outcome) = frame.body { expectingHeader = true }
        return .frame(frame)
    }

    static func decodeFrame(_ bytes: inout ByteBuffer, size: UInt32) throws(AMQPDecodeError) -> AMQPFrame {
        bytes.moveReaderIndex(forwardBy: 4)
        let doff = bytes.readInteger(as: UInt8.self)!
        let type = bytes.readInteger(as: UInt8.self)!
        let channel = bytes.readInteger(as: UInt16.self)!
        guard doff >= 2, Int(doff) * 4 <= Int(size) else { throw .invalidDataOffset(doff) }
        // Extended header bytes carry nothing defined in 1.0; skip them.
        bytes.moveReaderIndex(forwardBy: Int(doff) * 4 - AMQPFrame.headerSize)
        switch type {
        case AMQPFrame.typeAMQP:
            if bytes.readableBytes == 0 { return AMQPFrame(channel: channel, body: .heartbeat) }
            let value = try AMQPValueDecoder.decode(&bytes)
            let performative = try AMQPPerformative(decoding: value)
            if case .transfer = performative {
                return AMQPFrame(channel: channel, body: .performative(performative, payload: bytes.readableBytes > 0 ? bytes : nil))
            }
            guard bytes.readableBytes == 0 else { throw .trailingBytes(bytes.readableBytes) }
            return AMQPFrame(channel: channel, body: .performative(performative, payload: nil))
        case AMQPFrame.typeSASL:
            let value = try AMQPValueDecoder.decode(&bytes)
            let sasl = try AMQPSASLFrame(decoding: value)
            guard bytes.readableBytes == 0 else { throw .trailingBytes(bytes.readableBytes) }
            return AMQPFrame(channel: channel, body: .sasl(sasl))
        default:
            throw .unknownFrameType(type)
        }
    }
}
