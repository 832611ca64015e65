/// What the OpenWire state machine asks its handler to do. Core verbs that answer the client
/// (`admit`, `produce`, `addConsumer`, ...) carry the command's id; the handler answers the machine
/// with `completed(_:)` or `failed(_:_:)`, which produce the Response or the ExceptionResponse
/// (or, for a command that wanted none, a ConnectionError on failure).
public enum OpenWireAction: Sendable, Equatable {
    case send(OpenWireCommand)
    /// The WireFormatInfo exchange is done: from the next frame on, both directions use these options.
    case negotiated(OpenWireFormatOptions)
    /// Flush, then close the connection.
    case close
    /// Check credentials, the client id and the connection limit, then call `connectAdmitted` or `connectRefused`.
    case admit(OpenWireConnectionInfo, OpenWireRequest)
    case addConsumer(OpenWireConsumerInfo, OpenWireRequest)
    /// A consumer went away: its unacknowledged messages go back to the queue. `notDelivered` are the
    /// core tags of those the client had only prefetched: they return without counting as redelivered.
    case removeConsumer(OpenWireConsumerId, notDelivered: [UInt64])
    case removeProducer(OpenWireProducerId)
    case produce(OpenWireMessage, OpenWireRequest)
    /// Settle messages the consumer holds (an ack resolved against what was dispatched).
    case settle(OpenWireSettlement)
    /// Let the consumer have `n` more messages (prefetch extended by a DELIVERED ack or by a settle).
    case credit(OpenWireConsumerId, Int)
    /// The consumer's prefetch changed (ConsumerControl): it may now have `n` messages more in flight.
    case setCredit(OpenWireConsumerId, Int)
    case pull(OpenWireMessagePull)
    case beginTransaction(OpenWireTransactionId)
    case commitTransaction(OpenWireTransactionId, OpenWireRequest)
    case rollbackTransaction(OpenWireTransactionId, OpenWireRequest)
    case destination(OpenWireDestinationInfo, OpenWireRequest)
    case removeSubscription(OpenWireRemoveSubscriptionInfo, OpenWireRequest)
    /// The client closed its connection (RemoveInfo of the ConnectionId): release everything, then `completed`.
    case removeConnection(OpenWireRequest)
}

/// Which client command an answer belongs to.
public struct OpenWireRequest: Sendable, Hashable {
    public var commandId: Int32
    public var responseRequired: Bool

    public init(commandId: Int32, responseRequired: Bool) {
        self.commandId = commandId
        self.responseRequired = responseRequired
    }
}

/// An acknowledgement resolved to core delivery tags.
public struct OpenWireSettlement: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Consumed (STANDARD, INDIVIDUAL, UNMATCHED, EXPIRED).
        case consumed
        /// Dead-letter now, with the client's reason (POISON).
        case poison(cause: String)
    }

    public var consumerId: OpenWireConsumerId
    public var tags: [UInt64]
    public var outcome: Outcome
    public var transactionId: OpenWireTransactionId?
}

/// The Java exception classes a JMS client turns into the right `JMSException` subclass.
public enum OpenWireErrorClass {
    public static let jms = "javax.jms.JMSException"
    public static let security = "java.lang.SecurityException"
    public static let invalidSelector = "javax.jms.InvalidSelectorException"
    public static let invalidDestination = "javax.jms.InvalidDestinationException"
    public static let invalidClientID = "javax.jms.InvalidClientIDException"
    public static let destinationDoesNotExist = "org.apache.activemq.DestinationDoesNotExistException"
    public static let xa = "javax.transaction.xa.XAException"
    public static let illegalState = "java.lang.IllegalStateException"
    public static let io = "java.io.IOException"
}
