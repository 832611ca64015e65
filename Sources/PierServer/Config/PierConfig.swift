import PierYAML

/// The broker's whole configuration, as read from `pier.yaml`.
///
/// Every key is optional: an empty file, `{}` and `PierConfig.default` all mean
/// one anonymous MQTT listener on 127.0.0.1:1883 with data in `./data`.
public struct PierConfig: Codable, Equatable, Sendable {
    /// Directory for the message store and session state.
    public var dataDir: String
    public var listeners: [Listener]
    public var auth: Auth
    public var limits: Limits
    public var sys: Sys
    public var logging: Logging
    public var storage: Storage
    public var queues: Queues
    public var ha: HA
    /// Bridge configuration files (`bridge-config/*.yaml`); relative paths are relative to the config file.
    public var bridges: [String]
    /// The admin API's HTTP listener; nil (the default) opens none.
    public var http: HTTP?

    public static let `default` = PierConfig()

    public init(
        dataDir: String = "./data",
        listeners: [Listener] = [Listener()],
        auth: Auth = Auth(),
        limits: Limits = Limits(),
        sys: Sys = Sys(),
        logging: Logging = Logging(),
        storage: Storage = Storage(),
        queues: Queues = Queues(),
        ha: HA = HA(),
        bridges: [String] = [],
        http: HTTP? = nil
    ) {
        self.dataDir = dataDir
        self.listeners = listeners
        self.auth = auth
        self.limits = limits
        self.sys = sys
        self.logging = logging
        self.storage = storage
        self.queues = queues
        self.ha = ha
        self.bridges = bridges
        self.http = http
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dataDir = "data_dir"
        case listeners
        case auth
        case limits
        case sys
        case logging
        case storage
        case queues
        case ha
        case bridges
        case http
    }

    public init(from decoder: any Decoder) throws {
        let map = try ConfigMapping<CodingKeys>(decoder)
        self.init(
            dataDir: try map.string(.dataDir, default: "./data"),
            listeners: try map.list(.listeners, default: [Listener()]),
            auth: try map.section(.auth, default: Auth()),
            limits: try map.section(.limits, default: Limits()),
            sys: try map.section(.sys, default: Sys()),
            logging: try map.section(.logging, default: Logging()),
            storage: try map.section(.storage, default: Storage()),
            queues: try map.section(.queues, default: Queues()),
            ha: try map.section(.ha, default: HA()),
            bridges: try map.list(.bridges, default: [String]()),
            http: try map.field(.http).map { try HTTP(from: $0) })
    }

    // MARK: Loading

    /// Reads and validates a config file.
    public static func load(path: String) throws(ConfigError) -> PierConfig {
        let text = try ConfigFile.contents(of: path)
        var config: PierConfig
        do {
            config = try parse(yaml: text)
        } catch {
            throw error.inFile(path)
        }
        if let slash = path.lastIndex(of: "/") {
            let directory = path[...slash]
            config.bridges = config.bridges.map { $0.hasPrefix("/") ? $0 : directory + $0 }
        }
        return config
    }

    /// Parses and validates config text; errors carry no file name.
    public static func parse(yaml: String) throws(ConfigError) -> PierConfig {
        // An empty document or one holding only comments means "all defaults".
        guard let config = try decodeDocument(PierConfig.self, yaml: yaml) else { return .default }
        try config.validate()
        return config
    }

    /// Decodes one YAML document with the config's error reporting (key paths, line and column); nil when empty.
    static func decodeDocument<T: Decodable>(_ type: T.Type, yaml: String) throws(ConfigError) -> T? {
        let node: YAMLNode?
        do {
            node = try YAMLComposer.compose(yaml)
        } catch {
            throw syntaxError(error)
        }
        guard let node else { return nil }
        do {
            return try YAMLTreeDecoder.decode(T.self, from: node)
        } catch let error as ConfigFieldError {
            throw .invalid(file: nil, keyPath: error.keyPath, problem: error.problem)
        } catch let error as DecodingError {
            throw decodingError(error)
        } catch {
            throw .invalid(file: nil, keyPath: ConfigKeyPath.root, problem: "\(error)")
        }
    }

    // MARK: Command-line overrides

    /// Applies `-p/--port`, `--bind` and `--data`. Port and bind replace the
    /// first listener's; with no listeners configured they create an MQTT one,
    /// since asking for a port clearly means "listen there".
    public mutating func applyOverrides(port: Int? = nil, bind: String? = nil, dataDir: String? = nil) throws(ConfigError) {
        if let port, !(1...65535).contains(port) {
            throw .invalid(file: nil, keyPath: "--port", problem: "expected an integer between 1 and 65535, got \(port)")
        }
        if let bind, !ConfigMapping<CodingKeys>.isValidAddress(bind) {
            throw .invalid(
                file: nil, keyPath: "--bind",
                problem: "expected an IP address or host name, got \(ConfigValue.render(bind))")
        }
        if let dataDir, dataDir.isEmpty {
            throw .invalid(file: nil, keyPath: "--data", problem: "must not be empty")
        }
        if port != nil || bind != nil {
            if listeners.isEmpty {
                listeners.append(Listener(bind: bind ?? "127.0.0.1", port: port))
            } else {
                if let port {
                    // A name derived from the old port would now be misleading.
                    if listeners[0].hasDerivedName {
                        listeners[0].name = "\(listeners[0].protocol.rawValue)-\(port)"
                    }
                    listeners[0].port = port
                }
                if let bind {
                    listeners[0].bind = bind
                }
            }
        }
        if let dataDir {
            self.dataDir = dataDir
        }
        try validate()
    }

    // MARK: Validation

    /// Checks that span several keys; single values are checked while decoding.
    public func validate() throws(ConfigError) {
        for (index, listener) in listeners.enumerated() {
            for earlier in 0..<index {
                let other = listeners[earlier]
                // Address first: a clash there also clashes derived names.
                if Self.addressesOverlap(listener, other) {
                    throw .invalid(
                        file: nil, keyPath: "listeners[\(index)]",
                        problem: "\(Self.endpoint(listener)) conflicts with listeners[\(earlier)] (\(Self.endpoint(other)))")
                }
                // Derived names may repeat (`::1` and `127.0.0.1` on one port);
                // only a name someone chose has to identify one listener.
                if other.name == listener.name, !(listener.hasDerivedName && other.hasDerivedName) {
                    throw .invalid(
                        file: nil, keyPath: "listeners[\(index)].name",
                        problem: "duplicate listener name \(ConfigValue.render(listener.name)) (also used by listeners[\(earlier)])")
                }
            }
            if let http, Self.addressesOverlap(listener, Listener(bind: http.bind, port: http.port)) {
                throw .invalid(file: nil, keyPath: "http.port",
                               problem: "\(http.bind):\(http.port) conflicts with listeners[\(index)] (\(Self.endpoint(listener)))")
            }
        }
    }

    private static func endpoint(_ listener: Listener) -> String {
        listener.bind.contains(":") ? "[\(listener.bind)]:\(listener.port)" : "\(listener.bind):\(listener.port)"
    }

    /// Two listeners collide when the kernel would refuse the second bind: the
    /// same address and port, or a wildcard covering the other's address.
    private static func addressesOverlap(_ a: Listener, _ b: Listener) -> Bool {
        guard a.port == b.port else { return false }
        if a.bind == b.bind || a.bind == "::" || b.bind == "::" { return true }
        func isIPv4(_ s: String) -> Bool { !s.contains(":") }
        return (a.bind == "0.0.0.0" && isIPv4(b.bind)) || (b.bind == "0.0.0.0" && isIPv4(a.bind))
    }

    // MARK: Error mapping

    private static func syntaxError(_ error: YAMLSyntaxError) -> ConfigError {
        switch error.kind {
        case let .malformed(problem):
            return .syntax(file: nil, line: error.line, column: error.column, problem: problem)
        case let .duplicateKeys(keys):
            return .syntax(
                file: nil, line: error.line, column: error.column,
                problem: "mapping has duplicate key \(keys.map { ConfigValue.render($0) }.joined(separator: ", "))")
        }
    }

    /// Our readers report almost everything themselves; this covers what the
    /// YAML decoder rejects before they run, in the same `a.b[0].c: problem` form.
    private static func decodingError(_ error: DecodingError) -> ConfigError {
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return .invalid(
                file: nil, keyPath: ConfigKeyPath.render(context.codingPath), problem: context.debugDescription)
        case let .keyNotFound(key, context):
            return .invalid(
                file: nil, keyPath: ConfigKeyPath.render(context.codingPath + [key]), problem: "missing key")
        @unknown default:
            return .invalid(file: nil, keyPath: ConfigKeyPath.root, problem: "\(error)")
        }
    }
}
