import NIOCore

/// How a WebSocket listener upgrades and frames its connections.
public struct WebSocketOptions: Sendable {
    /// The only path upgraded (404 for others); nil accepts any.
    public var path: String?
    /// Browser origins allowed (403 for others); nil allows any. Requests without `Origin` are allowed:
    /// they come from programs, which a same-origin policy does not concern.
    public var allowedOrigins: [String]?
    /// Take the client's address from the first `X-Forwarded-For` entry (behind a reverse proxy).
    public var trustProxy: Bool
    /// Largest message, across its fragments; a larger one gets close code 1009.
    public var maxMessageSize: Int
    /// The listener's protocol, or nil when the subprotocol picks (`auto`).
    public var fixed: WebSocketProtocolChoice.Family?
    /// A client must have upgraded within this (the listener's CONNECT timeout): one that opens a socket
    /// and never finishes its HTTP request would otherwise hold it forever.
    public var handshakeTimeout: TimeAmount

    public init(path: String? = nil, allowedOrigins: [String]? = nil, trustProxy: Bool = false,
                maxMessageSize: Int = 4 << 20, fixed: WebSocketProtocolChoice.Family? = nil,
                handshakeTimeout: TimeAmount = .seconds(10)) {
        self.path = path
        self.allowedOrigins = allowedOrigins
        self.trustProxy = trustProxy
        self.maxMessageSize = maxMessageSize
        self.fixed = fixed
        self.handshakeTimeout = handshakeTimeout
    }

    /// Why a request is not upgraded, as the HTTP status the fallback answers with.
    func refusal(path requestPath: String, origin: String?) -> Int? {
        if let path, Self.pathOnly(requestPath) != path { return 404 }
        if let allowedOrigins, let origin, !allowedOrigins.contains(origin) { return 403 }
        return nil
    }

    static func pathOnly(_ uri: String) -> Substring {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(uri)
    }
}

/// What the protocol's handler learns about an upgraded connection.
public struct WebSocketConnectionInfo: Sendable {
    public var choice: WebSocketProtocolChoice
    /// The client's address as a proxy reported it, when the listener trusts proxies.
    public var forwardedFor: String?
}
