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
        /// Certificate and key; set exactly when `transport` is `tls` or `wss`.
        public var tls: ListenerTLS?
        /// WebSocket listeners: the only path upgraded (nil accepts any).
        public var path: String?
        /// WebSocket listeners: browser origins allowed to connect (nil allows any; a request without
        /// an Origin header, from a program rather than a page, is always allowed).
        public var allowedOrigins: [String]?
        /// WebSocket listeners behind a reverse proxy: log the first `X-Forwarded-For` address as the client's.
        public var trustProxy: Bool
        /// WebSocket listeners: largest message accepted; a larger one is refused with close code 1009.
        /// OpenWire listeners: largest frame accepted (10 MiB unless set), advertised as `MaxFrameSize`.
        /// AMQP listeners: largest message accepted (10 MiB unless set), reassembled from its transfer frames.
        public var maxMessageSize: Int

        public init(
            name: String? = nil,
            protocol: ListenerProtocol = .mqtt,
            transport: ListenerTransport = .tcp,
            bind: String = "127.0.0.1",
            port: Int? = nil,
            allowAnonymous: Bool = true,
            tls: ListenerTLS? = nil,
            path: String? = nil,
            allowedOrigins: [String]? = nil,
            trustProxy: Bool = false,
            maxMessageSize: Int = 4 << 20
        ) {
            let port = port ?? `protocol`.defaultPort(over: transport)
            self.name = name ?? "\(`protocol`.rawValue)-\(port)"
            self.protocol = `protocol`
            self.transport = transport
            self.bind = bind
            self.port = port
            self.allowAnonymous = allowAnonymous
            self.tls = tls
            self.path = path
            self.allowedOrigins = allowedOrigins
            self.trustProxy = trustProxy
            self.maxMessageSize = maxMessageSize
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
            case path
            case allowedOrigins = "allowed_origins"
            case trustProxy = "trust_proxy"
            case maxMessageSize = "max_message_size"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let transport = try map.choice(.transport, default: ListenerTransport.tcp)
            // A WebSocket listener without a protocol lets the subprotocol choose, as ActiveMQ's does.
            let proto = try map.choice(.protocol, default: transport.isWebSocket ? ListenerProtocol.auto : .mqtt)
            if proto == .openwire && transport.isWebSocket {
                throw map.fail(.protocol, "openwire needs transport tcp or tls (OpenWire over WebSocket is not served)")
            }
            if proto == .amqp && transport.isWebSocket {
                throw map.fail(.protocol, "amqp needs transport tcp or tls (AMQP over WebSocket is not served)")
            }
            if proto == .auto && !transport.isWebSocket {
                throw map.fail(.protocol, "auto needs transport ws or wss (the WebSocket subprotocol picks the protocol)")
            }
            let tls = try map.field(.tls).map { try ListenerTLS(from: $0) }
            switch (transport.usesTLS, tls) {
            case (true, nil):
                throw map.fail(.tls, "required with transport \(transport.rawValue) (cert_file and key_file)")
            case (false, _?):
                throw map.fail(.tls, "only allowed with transport tls or wss")
            default:
                break
            }
            for key in [CodingKeys.path, .allowedOrigins, .trustProxy] where !transport.isWebSocket && map.field(key) != nil {
                throw map.fail(key, "only allowed with transport ws or wss")
            }
            // OpenWire listeners use it as the largest frame accepted (advertised as MaxFrameSize).
            if !transport.isWebSocket && proto != .openwire && proto != .amqp && map.field(.maxMessageSize) != nil {
                throw map.fail(.maxMessageSize, "only allowed with transport ws or wss, or protocol openwire or amqp")
            }
            let path = try map.string(.path)
            if let path, !path.hasPrefix("/") { throw map.fail(.path, "must start with /") }
            self.init(
                name: try map.string(.name),
                protocol: proto,
                transport: transport,
                bind: try map.address(.bind, default: "127.0.0.1"),
                port: try map.integer(.port, default: proto.defaultPort(over: transport), min: 1, max: 65535),
                allowAnonymous: try map.bool(.allowAnonymous, default: true),
                tls: tls,
                path: path,
                allowedOrigins: try map.field(.allowedOrigins).map { d in
                    guard let list = try? d.singleValueContainer().decode([String].self) else {
                        throw map.fail(.allowedOrigins, "expected a list of origins such as https://dash.example")
                    }
                    return list
                },
                trustProxy: try map.bool(.trustProxy, default: false),
                maxMessageSize: try map.integer(.maxMessageSize, default: proto == .openwire || proto == .amqp ? 10 << 20 : 4 << 20,
                                                min: 1024, max: 256 << 20))
        }
    }
}
