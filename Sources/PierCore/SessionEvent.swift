/// Progress of one message exchange of a session, as protocol adapters report it for durability.
public enum SessionEvent: Sendable, Equatable {
    case sent(messageID: UInt64, packetID: UInt16)
    case released(packetID: UInt16)
    case completed(messageID: UInt64)
    case incomingReceived(packetID: UInt16)
    case incomingReleased(packetID: UInt16)
}
