import NIOCore

/// One transport frame: the 8-byte header (size, data offset, type, channel) and its body.
public struct AMQPFrame: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        /// An AMQP frame without a body: keeps the idle timer of the peer from firing.
        case heartbeat
        /// A performative; for transfers, `payload` is the part of the message this frame carries.
        case performative(AMQPPerformative, payload: ByteBuffer?)
        case sasl(AMQPSASLFrame)
    }

    public static let headerSize = 8
    /// Peers must accept frames up to this size before open has been exchanged.
    public static let minMaxFrameSize: UInt32 = 512
    static let typeAMQP: UInt8 = 0
    static let typeSASL: UInt8 = 1

    public var channel: UInt16
    public var body: Body

    public init(channel: UInt16 = 0, body: Body) {
        self.channel = channel
        self.body = body
    }

    public static func performative(_ performative: AMQPPerformative, channel: UInt16 = 0, payload: ByteBuffer? = nil) -> AMQPFrame {
        AMQPFrame(channel: channel, body: .performative(performative, payload: payload))
    }
}

extension ByteBuffer {
    /// Appends `frame`, header included, and returns its size on the wire.
    @discardableResult
    public mutating func writeAMQPFrame(_ frame: AMQPFrame) -> Int {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(UInt8(2))
        switch frame.body {
        case .heartbeat:
            writeInteger(AMQPFrame.typeAMQP)
        case .performative(let performative, var payload):
            writeInteger(AMQPFrame.typeAMQP)
            writeInteger(frame.channel)
            writeAMQPValue(performative.amqpValue)
            if payload != nil { writeBuffer(&payload!) }
            setInteger(UInt32(writerIndex - start), at: start)
            return writerIndex - start
        case .sasl(let sasl):
            writeInteger(AMQPFrame.typeSASL)
            writeInteger(UInt16(0))
            writeAMQPValue(sasl.amqpValue)
            setInteger(UInt32(writerIndex - start), at: start)
            return writerIndex - start
        }
        writeInteger(frame.channel)
        setInteger(UInt32(writerIndex - start), at: start)
        return writerIndex - start
    }
}
