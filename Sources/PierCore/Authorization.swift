/// Who is connecting, as the transport and protocol saw it.
public struct ClientIdentity: Sendable, Hashable {
    public var clientID: String
    public var username: String?
    public var listener: String
    public var remoteAddress: String?

    public init(clientID: String, username: String?, listener: String = "default", remoteAddress: String? = nil) {
        self.clientID = clientID
        self.username = username
        self.listener = listener
        self.remoteAddress = remoteAddress
    }

    /// The listener name of the admin console's live tail. No configured listener can produce it, so an
    /// authorizer may trust it to mean "an `admin` user, already checked by the HTTP listener".
    public static let adminListener = "$admin"
}

public enum AuthenticationResult: Sendable, Equatable {
    case accepted
    case badCredentials
    case notAuthorized
}

/// Checks credentials. Implementations must be cheap and thread-safe: they run on event loops.
public protocol Authenticator: Sendable {
    func authenticate(username: String?, password: [UInt8]?, identity: ClientIdentity, allowAnonymous: Bool) -> AuthenticationResult
}

/// Topic-level access control. Topic names and filters are in MQTT form.
public protocol Authorizer: Sendable {
    func canPublish(_ identity: ClientIdentity, topic: String) -> Bool
    func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool
    /// Checked per delivered message, as mosquitto does, so a wide subscription cannot read denied topics.
    func canRead(_ identity: ClientIdentity, topic: String) -> Bool
    /// Whether a client may publish into the broker's own `$SYS` tree. Only an explicit grant allows it
    /// (an ACL rule naming `$SYS`); the default refuses, whatever `canPublish` says.
    func canPublishSystem(_ identity: ClientIdentity, topic: String) -> Bool
    /// Queues: `write` to send, otherwise to consume or browse. Queue names are ActiveMQ's (dotted).
    func canAccessQueue(_ identity: ClientIdentity, queue: String, write: Bool) -> Bool
}

extension Authorizer {
    public func canPublishSystem(_ identity: ClientIdentity, topic: String) -> Bool { false }

    /// Authorizers that know only topics leave queues open.
    public func canAccessQueue(_ identity: ClientIdentity, queue: String, write: Bool) -> Bool { true }

    /// The publish check every front end makes: `$SYS` topics need `canPublishSystem`, the rest `canPublish`.
    public func mayPublish(_ identity: ClientIdentity, topic: String) -> Bool {
        Topic.isSystem(topic) ? canPublishSystem(identity, topic: topic) : canPublish(identity, topic: topic)
    }
}

/// Allows anonymous clients when the listener does and refuses credentials it cannot check.
public struct AnonymousAuthenticator: Authenticator {
    public init() {}
    public func authenticate(username: String?, password: [UInt8]?, identity: ClientIdentity, allowAnonymous: Bool) -> AuthenticationResult {
        allowAnonymous ? .accepted : .notAuthorized
    }
}

public struct AllowAllAuthorizer: Authorizer {
    public init() {}
    public func canPublish(_ identity: ClientIdentity, topic: String) -> Bool { true }
    public func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool { true }
    public func canRead(_ identity: ClientIdentity, topic: String) -> Bool { true }
}
