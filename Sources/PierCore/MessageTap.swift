/// Something outside the sessions that wants published messages written to the log for itself, such as
/// a bridge forwarding them upstream. A taken message is stored with `targetID` among its targets, so the
/// tap can find it again by reading the log; nothing is copied a second time.
public protocol MessageTap: Sendable {
    /// Written as the target of the messages the tap takes (`$bridge/NAME`); never a client id.
    var targetID: String { get }
    /// Called on the publisher's event loop for every publish; must be cheap.
    func decide(_ message: Message) -> MessageTapDecision
}

public enum MessageTapDecision: Sendable {
    case skip
    /// Store the message for the tap, even at QoS 0.
    case take
    /// Store it, but hold the publisher's acknowledgement until the tap calls `release` (its buffer is full).
    case takeAndHoldAcknowledgement(register: @Sendable (_ release: @escaping @Sendable () -> Void) -> Void)
}
