/// How the sender settles: 0 unsettled, 1 settled (pre-settled, at most once), 2 mixed.
public enum AMQPSenderSettleMode: UInt8, Hashable, Sendable {
    case unsettled = 0
    case settled = 1
    case mixed = 2
}
