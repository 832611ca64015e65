import PierAdmin
import PierCore
import PierTransport

/// The `http:` listener: the admin API, on the broker's event loops.
extension BrokerServer {
    /// The HTTP listener's bound port (useful with `port: 0` in tests); nil without `http:`.
    public var httpPort: Int? { state.withLockedValue { $0.httpPort } }

    func startHTTP() throws {
        guard let http = config.http else { return }
        let startedAt = state.withLockedValue { $0.startedAt }
        let context = AdminContext(
            version: SysTopicsPublisher.version, startedAtMillis: startedAt, haRole: haRole, dataDir: config.dataDir,
            broker: broker, connections: connections,
            listeners: { [state] in state.withLockedValue { $0.bound } },
            bridges: { [state] in state.withLockedValue { $0.bridges } }, metrics: metrics.registry)
        let acl = aclAuthorizer
        // Without an ACL file nobody has an `admin` line, so only anonymous access (if allowed) gets in.
        let access = AdminAccess(authenticator: passwordAuthenticator, allowAnonymous: http.allowAnonymous,
                                 isAdmin: { user in acl?.isAdmin(username: user) ?? false })
        let bound = try TCPListener.bind(host: http.bind, port: http.port, group: group, tls: httpTLSContext,
                                         childInitializer: AdminHTTPServer.childInitializer(api: AdminAPI(context: context), access: access)).wait()
        let port = bound.localPort ?? http.port
        state.withLockedValue {
            $0.listeners.append(bound)
            $0.httpPort = port
        }
        logger.info("listening", metadata: ["listener": "http", "protocol": "http", "transport": "\(httpTLSContext == nil ? "tcp" : "tls")",
                                           "address": "\(http.bind):\(port)"])
    }
}
