/// When the receiver settles: 0 first (on its own), 1 second (after the sender settled).
public enum AMQPReceiverSettleMode: UInt8, Hashable, Sendable {
    case first = 0
    case second = 1
}
