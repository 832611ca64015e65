extension PierConfig {
    /// One socket the broker accepts connections on.
    public struct Listener: Codable, Equatable, Sendable {
        /// Shown in logs and `$SYS`; defaults to `<protocol>-<port>`.
        public var name: String
        public var `protocol`: ListenerProtocol
        public var transport: ListenerTransport
        public var bind: String
        public var port: Int
        public var allowAnonymous: Bool
        /// Certificate and key; set exactly when `transport` is `tls`.
        public var tls: ListenerTLS?

        public init(
            name: String? = nil,
            protocol: ListenerProtocol = .mqtt,
            transport: ListenerTransport = .tcp,
            bind: String = "127.0.0.1",
            port: Int? = nil,
            allowAnonymous: Bool = true,
            tls: ListenerTLS? = nil
        ) {
            let port = port ?? `protocol`.defaultPort(over: transport)
            self.name = name ?? "\(`protocol`.rawValue)-\(port)"
            self.protocol = `protocol`
            self.transport = transport
            self.bind = bind
            self.port = port
            self.allowAnonymous = allowAnonymous
            self.tls = tls
        }

        /// Whether `name` is the `<protocol>-<port>` default rather than chosen.
        public var hasDerivedName: Bool {
            name == "\(`protocol`.rawValue)-\(port)"
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name
            case `protocol`
            case transport
            case bind
            case port
            case allowAnonymous = "allow_anonymous"
            case tls
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let proto = try map.choice(.protocol, default: ListenerProtocol.mqtt)
            let transport = try map.choice(.transport, default: ListenerTransport.tcp)
            let tls = try map.field(.tls).map { try ListenerTLS(from: $0) }
            switch (transport, tls) {
            case (.tls, nil):
                throw map.fail(.tls, "required with transport tls (cert_file and key_file)")
            case (.tcp, _?):
                throw map.fail(.tls, "only allowed with transport tls")
            default:
                break
            }
            self.init(
                name: try map.string(.name),
                protocol: proto,
                transport: transport,
                bind: try map.address(.bind, default: "127.0.0.1"),
                port: try map.integer(.port, default: proto.defaultPort(over: transport), min: 1, max: 65535),
                allowAnonymous: try map.bool(.allowAnonymous, default: true),
                tls: tls)
        }
    }
}
