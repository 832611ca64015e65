/// Client setup errors that are not AMQP protocol errors.
public enum AMQPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The TLS settings cannot be used: an unreadable or invalid CA, certificate or key file, or a
    /// server name that cannot be sent. Detected before any connection attempt.
    case tlsConfiguration(String)
    /// The TLS handshake failed: the peer's certificate is not trusted or not issued for the name we
    /// expect, the peer is not speaking TLS, or there is no common protocol version or cipher.
    case tlsHandshakeFailed(String)
    /// The connection was not up (TLS handshake, SASL, open, begin) within the open timeout.
    case openTimedOut(milliseconds: UInt32)

    public var description: String {
        switch self {
        case .tlsConfiguration(let detail): return "TLS configuration error: \(detail)"
        case .tlsHandshakeFailed(let detail): return "TLS handshake failed: \(detail)"
        case .openTimedOut(let ms): return "connection not open within \(ms) ms (TLS handshake, SASL, open, begin)"
        }
    }
}
