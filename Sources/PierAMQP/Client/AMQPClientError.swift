/// Client setup errors that are not protocol errors.
public enum AMQPClientError: Error, Hashable, Sendable {
    /// amqps was asked for, but this build has no TLS layer (swift-nio-ssl is not linked yet).
    case tlsUnavailable
}
