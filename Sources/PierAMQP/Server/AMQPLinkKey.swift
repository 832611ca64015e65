/// One link of a server connection: the session's channel and the link's handle. Pier answers on the
/// channel and with the handle the peer chose (each side numbers its own endpoints, so reusing the
/// peer's numbers is allowed and saves a mapping table).
public struct AMQPLinkKey: Hashable, Sendable, CustomStringConvertible {
    public var channel: UInt16
    public var handle: UInt32

    public init(channel: UInt16, handle: UInt32) {
        self.channel = channel
        self.handle = handle
    }

    public var description: String { "\(channel)/\(handle)" }
}
