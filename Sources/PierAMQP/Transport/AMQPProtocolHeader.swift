import NIOCore

/// The 8 bytes each side sends before frames: "AMQP", a protocol id, then version 1.0.0.
public enum AMQPProtocolHeader: UInt8, Hashable, Sendable {
    case amqp = 0
    case tls = 2
    case sasl = 3

    public static let size = 8

    public var bytes: [UInt8] { [0x41, 0x4D, 0x51, 0x50, rawValue, 1, 0, 0] }

    /// Reads a header, or returns nil while fewer than 8 bytes are there.
    public static func read(_ buffer: inout ByteBuffer) throws(AMQPDecodeError) -> AMQPProtocolHeader? {
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: size) else { return nil }
        guard bytes[0...3] == [0x41, 0x4D, 0x51, 0x50], let header = AMQPProtocolHeader(rawValue: bytes[4]),
              bytes[5...7] == [1, 0, 0] else {
            throw .invalidProtocolHeader(bytes)
        }
        buffer.moveReaderIndex(forwardBy: size)
        return header
    }
}
