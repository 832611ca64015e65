/// Progress of one message exchange of a session, as protocol front ends report it for durability.
/// Exchanges are named by the front end's `DeliveryKey`; the core keeps the keys, not their meaning.
public enum SessionEvent: Sendable, Equatable {
    /// A queued message went out under `key`.
    case sent(messageID: UInt64, key: DeliveryKey)
    /// The outgoing exchange moved to its second phase (MQTT: PUBREC came, PUBREL is owed).
    case advanced(key: DeliveryKey)
    /// The session is done with the message.
    case completed(messageID: UInt64)
    /// An incoming exchange the front end must recognise if it is repeated (MQTT: a QoS 2 packet id).
    case incomingHeld(key: DeliveryKey)
    case incomingDone(key: DeliveryKey)
}
