/// Why a client connection ended or could not be opened.
public enum AMQPConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer closed the connection (with its reason, if it gave one).
    case remoteClosed(AMQPError?)
    case authenticationFailed(AMQPSASLCode)
    /// The peer offers none of the mechanisms we can use.
    case mechanismNotOffered(wanted: String, offered: [String])
    /// The peer answered with another protocol header than the one we sent (e.g. it requires SASL).
    case protocolHeaderMismatch(sent: AMQPProtocolHeader, received: AMQPProtocolHeader)
    case protocolViolation(String)
    case decodeFailed(AMQPDecodeError)
    /// Nothing arrived within our idle timeout.
    case idleTimeout
    case connectionLost
    /// We closed it because the peer violated the protocol; `error` is what we told it.
    case closedWithError(AMQPError)
    case notOpen

    public var description: String {
        switch self {
        case .remoteClosed(let error?): return "peer closed the connection: \(error)"
        case .remoteClosed(nil): return "peer closed the connection"
        case .authenticationFailed(let code): return "SASL authentication failed: \(code)"
        case .mechanismNotOffered(let wanted, let offered): return "peer does not offer SASL \(wanted) (offers \(offered))"
        case .protocolHeaderMismatch(let sent, let received): return "sent protocol header \(sent), peer answered \(received)"
        case .protocolViolation(let detail): return "protocol violation: \(detail)"
        case .decodeFailed(let error): return "undecodable input: \(error)"
        case .idleTimeout: return "idle timeout: nothing received from the peer"
        case .connectionLost: return "connection lost"
        case .closedWithError(let error): return "closed with error \(error)"
        case .notOpen: return "connection is not open"
        }
    }
}
