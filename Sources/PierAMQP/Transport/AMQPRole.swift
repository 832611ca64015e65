/// Which end of a link: encoded as a boolean, sender false and receiver true.
public enum AMQPRole: Hashable, Sendable {
    case sender
    case receiver

    public var wireValue: Bool { self == .receiver }

    public init(wireValue: Bool) {
        self = wireValue ? .receiver : .sender
    }
}
