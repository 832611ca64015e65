import NIOCore

/// One client protocol's conversation for `pier pub`/`pier sub`, without I/O: the handler feeds it the
/// broker's packets and carries out the steps it returns, so the MQTT and STOMP sessions are tested
/// with no socket and share one NIO handler (`ClientChannelHandler`).
protocol ClientSession {
    associatedtype Packet: Sendable

    /// Decodes one packet from the broker's bytes (nil: need more).
    mutating func decode(_ buffer: inout ByteBuffer) throws -> Packet?
    func encode(_ packet: Packet, into buffer: inout ByteBuffer)

    /// The socket is open.
    mutating func start() -> [ClientStep<Packet>]
    mutating func receive(_ packet: Packet) -> [ClientStep<Packet>]
    /// A keepalive packet to send every `keepAliveInterval` (nil: the protocol's heartbeats are off).
    var keepAlive: (packet: Packet, every: TimeAmount)? { get }
}

enum ClientStep<Packet: Sendable>: Sendable {
    case send(Packet)
    /// A line for standard output.
    case output(String)
    /// Done, well or not; the handler closes the connection.
    case finish(Result<Void, ClientError>)
}
