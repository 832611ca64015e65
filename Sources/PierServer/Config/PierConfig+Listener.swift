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

        public init(
            name: String? = nil,
            protocol: ListenerProtocol = .mqtt,
            transport: ListenerTransport = .tcp,
            bind: String = "127.0.0.1",
            port: Int? = nil,
            allowAnonymous: Bool = true
        ) {
            let port = port ?? `protocol`.defaultPort
            self.name = name ?? "\(`protocol`.rawValue)-\(port)"
            self.protocol = `protocol`
            self.transport = transport
            self.bind = bind
            self.port = port
            self.allowAnonymous = allowAnonymous
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
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let proto = try map.choice(.protocol, default: ListenerProtocol.mqtt)
            self.init(
                name: try map.string(.name),
                protocol: proto,
                transport: try map.choice(.transport, default: ListenerTransport.tcp),
                bind: try map.address(.bind, default: "127.0.0.1"),
                port: try map.integer(.port, default: proto.defaultPort, min: 1, max: 65535),
                allowAnonymous: try map.bool(.allowAnonymous, default: true))
        }
    }
}
