import NIOConcurrencyHelpers

/// One consumer attached to one queue. Its mutable state is guarded by its queue's lock.
public final class QueueConsumer: @unchecked Sendable {
    public let id: UInt64
    public let queueName: String
    public let options: ConsumerOptions
    let connection: any QueueConsumerConnection
    /// Owner (a connection) for temporary-destination and transaction bookkeeping.
    public let owner: ObjectIdentifier?

    // Guarded by the queue's lock.
    var credit: Int
    var unacked: [UInt64] = []
    var closed = false
    var attachOrder: UInt64 = 0

    init(id: UInt64, queueName: String, options: ConsumerOptions, connection: any QueueConsumerConnection, owner: ObjectIdentifier?) {
        self.id = id
        self.queueName = queueName
        self.options = options
        self.connection = connection
        self.owner = owner
        self.credit = options.prefetch
    }
}
