/// How the client authenticates in the SASL layer.
public enum AMQPSASLCredentials: Hashable, Sendable {
    case plain(user: String, password: String)
    case anonymous

    public var mechanism: String {
        switch self {
        case .plain: return "PLAIN"
        case .anonymous: return "ANONYMOUS"
        }
    }
}
