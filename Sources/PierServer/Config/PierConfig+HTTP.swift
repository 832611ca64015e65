extension PierConfig {
    /// The HTTP listener of the admin API (`/api/...`). Absent from the file means no HTTP listener:
    /// an operations port is opened only when asked for.
    public struct HTTP: Codable, Equatable, Sendable {
        public var bind: String
        /// ActiveMQ's web console port by default, where operators look for it.
        public var port: Int
        /// Requests without credentials are served. Off by default: the API can close connections and purge queues.
        public var allowAnonymous: Bool
        /// HTTPS with the same keys as a listener's `tls`.
        public var tls: ListenerTLS?

        public init(bind: String = "127.0.0.1", port: Int = 8161, allowAnonymous: Bool = false, tls: ListenerTLS? = nil) {
            self.bind = bind
            self.port = port
            self.allowAnonymous = allowAnonymous
            self.tls = tls
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case bind
            case port
            case allowAnonymous = "allow_anonymous"
            case tls
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            self.init(bind: try map.address(.bind, default: "127.0.0.1"),
                      port: try map.integer(.port, default: 8161, min: 1, max: 65535),
                      allowAnonymous: try map.bool(.allowAnonymous, default: false),
                      tls: try map.field(.tls).map { try ListenerTLS(from: $0) })
        }
    }
}
