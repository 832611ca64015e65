/// A message waiting in, or in flight from, one queue.
struct QueuedEntry: Sendable {
    var message: Message
    /// Deliveries so far; the message is redelivered when this is above zero at dispatch.
    var deliveryCount: UInt32
    let size: Int

    init(message: Message, deliveryCount: UInt32 = 0) {
        self.message = message
        self.deliveryCount = deliveryCount
        self.size = message.payload.readableBytes + 64
    }

    var id: UInt64 { message.id ?? 0 }
}
