/// The `code` of sasl-outcome.
public enum AMQPSASLCode: UInt8, Hashable, Sendable {
    case ok = 0
    case auth = 1
    case sys = 2
    case sysPerm = 3
    case sysTemp = 4
}
