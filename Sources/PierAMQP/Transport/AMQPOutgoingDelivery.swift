import NIOCore

/// One delivery being written as transfer frames, the same way by client and server sessions: the
/// first frame carries the delivery id, tag, format and settlement, and each frame's share of the
/// payload is cut so the frame fits the peer's max frame size.
public struct AMQPOutgoingDelivery: Sendable {
    public let handle: UInt32
    public let deliveryID: UInt32
    public let settled: Bool
    public private(set) var payload: ByteBuffer
    private var first = true

    public init(handle: UInt32, deliveryID: UInt32, payload: ByteBuffer, settled: Bool) {
        self.handle = handle
        self.deliveryID = deliveryID
        self.payload = payload
        self.settled = settled
    }

    /// More than a frame header plus any transfer written here: handle, delivery id, a 4-byte tag,
    /// format, settled and more encode in well under 64 bytes.
    static let transferOverheadBound = 128

    /// The next frame of the delivery; `done` is true for its last.
    public mutating func nextFrame(maxFrameSize: Int) -> (transfer: AMQPTransfer, chunk: ByteBuffer, done: Bool) {
        var transfer = AMQPTransfer(handle: handle)
        if first {
            var tag = ByteBuffer()
            tag.writeInteger(deliveryID)
            transfer.deliveryID = deliveryID
            transfer.deliveryTag = tag
            transfer.messageFormat = 0
            transfer.settled = settled
            first = false
        }
        transfer.more = true
        let room: Int
        if payload.readableBytes + Self.transferOverheadBound <= maxFrameSize {
            // Fits with room to spare for any transfer performative: skip measuring it.
            room = payload.readableBytes
        } else {
            // Frame header plus the transfer itself; measured rather than estimated so a frame never exceeds the limit.
            var probe = ByteBuffer()
            probe.writeAMQPValue(AMQPPerformative.transfer(transfer).amqpValue)
            room = maxFrameSize - AMQPFrame.headerSize - probe.readableBytes
        }
        if payload.readableBytes <= room {
            transfer.more = false
            return (transfer, payload.readSlice(length: payload.readableBytes)!, true)
        }
        return (transfer, payload.readSlice(length: room)!, false)
    }
}
