/// What the STOMP state machine asks its handler to do. Every core verb (`publish`, `subscribe`, …)
/// must be answered with `completed(receipt:)` or `failed(_:receipt:)`, which produce the RECEIPT
/// or the ERROR frame.
public enum STOMPAction: Sendable, Equatable {
    case send(STOMPFrame)
    /// Flush, then close the connection.
    case close
    case heartbeat
    /// Check the credentials and the connection limit, then call `connectAdmitted` or `connectRefused`.
    case admit(login: String?, passcode: String?, clientID: String?)
    case publish(STOMPFrame, transaction: String?, receipt: String?)
    case subscribe(STOMPSubscription, receipt: String?)
    case unsubscribe(STOMPSubscription, receipt: String?)
    /// Remove a durable subscription (UNSUBSCRIBE with `activemq.subscriptionName`).
    case removeDurable(name: String, receipt: String?)
    case ack(STOMPAckTarget, transaction: String?, receipt: String?)
    case nack(STOMPAckTarget, transaction: String?, receipt: String?)
    case begin(String, receipt: String?)
    case commit(String, receipt: String?)
    case abort(String, receipt: String?)
    /// Release everything the connection holds (rollback transactions, close consumers), then call
    /// `completed(receipt:)` once pending acknowledgements are out; the machine then closes.
    case disconnect(receipt: String?)
}
