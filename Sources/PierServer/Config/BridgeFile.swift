import PierBridge
import PierCore

/// A bridge configuration file (`bridge-config/*.yaml`), read with the same strict, key-path error
/// reporting as `pier.yaml`.
public struct BridgeFile: Decodable, Sendable {
    public var configuration: BridgeConfiguration

    /// Reads and checks one bridge file.
    public static func load(path: String) throws(ConfigError) -> BridgeConfiguration {
        let text = try ConfigFile.contents(of: path)
        let file: BridgeFile?
        do {
            file = try PierConfig.decodeDocument(BridgeFile.self, yaml: text)
        } catch {
            throw error.inFile(path)
        }
        guard let file else { throw ConfigError.invalid(file: path, keyPath: ConfigKeyPath.root, problem: "empty bridge file") }
        return file.configuration
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, uplink, forward, downstream, buffer
        case drainRate = "drain_rate"
        case window
        case deadLetterTopic = "dead_letter_topic"
    }

    public init(from decoder: any Decoder) throws {
        let map = try ConfigMapping<CodingKeys>(decoder)
        guard let name = try map.string(.name), !name.isEmpty, !name.contains("/") else {
            throw map.fail(.name, "expected a bridge name without '/'")
        }
        guard map.field(.uplink) != nil else { throw map.fail(.uplink, "missing (the upstream addresses)") }
        let uplink = try map.section(.uplink, default: Uplink(value: .init(addresses: []))).value
        configuration = BridgeConfiguration(
            name: name, uplink: uplink,
            forward: try map.list(.forward, default: [Forward]()).map(\.value),
            downstream: try map.list(.downstream, default: [Downstream]()).map(\.value),
            buffer: try map.section(.buffer, default: Buffer(value: .init())).value,
            drainRate: try map.integer(.drainRate, default: 0, min: 0),
            window: try map.integer(.window, default: 500, min: 1, max: 100_000),
            deadLetterTopic: try map.string(.deadLetterTopic))
    }

    struct Uplink: Decodable {
        var value: BridgeConfiguration.Uplink
        init(value: BridgeConfiguration.Uplink) { self.value = value }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case addresses, username, password, tls
            case containerID = "container_id"
            case reconnectInitialDelay = "reconnect_initial_delay_ms"
            case reconnectMaxDelay = "reconnect_max_delay_ms"
            case jitterPercent = "jitter_percent"
            case failbackAfter = "failback_after"
        }

        init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let texts: [String] = try map.list(.addresses, default: [])
            guard !texts.isEmpty else { throw map.fail(.addresses, "expected at least one host:port") }
            var endpoints: [BridgeConfiguration.Endpoint] = []
            for (i, text) in texts.enumerated() {
                guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                      (1...65535).contains(port), colon > text.startIndex else {
                    throw ConfigFieldError(codingPath: map.codingPath + [ConfigCodingKey(stringValue: "addresses"), ConfigCodingKey(intValue: i)],
                                           problem: "expected host:port, got \"\(text)\"")
                }
                endpoints.append(.init(host: String(text[..<colon]), port: port))
            }
            value = BridgeConfiguration.Uplink(
                addresses: endpoints, username: try map.string(.username), password: try map.string(.password),
                containerID: try map.string(.containerID, default: "pier"), tls: try TLS.read(map, .tls),
                reconnectInitialDelayMillis: try map.integer(.reconnectInitialDelay, default: 500, min: 10, max: 600_000),
                reconnectMaxDelayMillis: try map.integer(.reconnectMaxDelay, default: 30_000, min: 10, max: 3_600_000),
                jitter: Double(try map.integer(.jitterPercent, default: 20, min: 0, max: 100)) / 100,
                failbackAfterSeconds: try map.integer(.failbackAfter, default: 60, min: 1, max: 86_400))
        }
    }

    /// `tls: true|false` (true: system trust store, verification on), or a mapping with the details.
    struct TLS: Decodable {
        var value: BridgeConfiguration.TLS

        enum CodingKeys: String, CodingKey, CaseIterable {
            case caFile = "ca_file"
            case certFile = "cert_file"
            case keyFile = "key_file"
            case verify
            case serverName = "server_name"
        }

        /// nil when absent, null or false.
        static func read<Key>(_ map: ConfigMapping<Key>, _ key: Key) throws -> BridgeConfiguration.TLS? {
            guard let decoder = map.field(key) else { return nil }
            if let enabled = try? decoder.singleValueContainer().decode(Bool.self) {
                return enabled ? BridgeConfiguration.TLS() : nil
            }
            guard (try? decoder.container(keyedBy: ConfigCodingKey.self)) != nil else {
                throw map.fail(key, "expected true, false or a mapping (ca_file, cert_file, key_file, verify, server_name), got \(ConfigValue.describe(decoder))")
            }
            return try TLS(from: decoder).value
        }

        init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            let certFile = try map.string(.certFile)
            let keyFile = try map.string(.keyFile)
            if certFile != nil, keyFile == nil { throw map.fail(.keyFile, "missing (cert_file needs the private key that goes with it)") }
            if keyFile != nil, certFile == nil { throw map.fail(.certFile, "missing (key_file needs the certificate that goes with it)") }
            let serverName = try map.string(.serverName)
            if let serverName {
                if ConfigMapping<CodingKeys>.isIPAddress(serverName) {
                    throw map.fail(.serverName, "expected a host name, got the IP address \(ConfigValue.render(serverName)) "
                                   + "(SNI cannot carry one; leave server_name out to verify the address connected to)")
                }
                guard ConfigMapping<CodingKeys>.isValidAddress(serverName) else {
                    throw map.fail(.serverName, "expected a host name, got \(ConfigValue.render(serverName))")
                }
            }
            value = BridgeConfiguration.TLS(caFile: try map.string(.caFile), certificateFile: certFile, privateKeyFile: keyFile,
                                            verify: try map.bool(.verify, default: true), serverName: serverName)
        }
    }

    struct Forward: Decodable {
        var value: BridgeConfiguration.ForwardRule

        enum CodingKeys: String, CodingKey, CaseIterable {
            case filter, address, qos, durable, retained
        }

        init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            guard let filter = try map.string(.filter), Topic.validateFilter(filter) == nil else {
                throw map.fail(.filter, "expected an MQTT topic filter")
            }
            guard let address = try map.string(.address), !address.isEmpty else { throw map.fail(.address, "expected an upstream address") }
            let qos: Int? = map.field(.qos) == nil ? nil : try map.integer(.qos, default: 1, min: 0, max: 2)
            value = .init(filter: filter, address: address, qos: qos.flatMap { QoS(rawValue: UInt8($0)) },
                          durable: try map.bool(.durable, default: true), retained: try map.bool(.retained, default: true))
        }
    }

    struct Downstream: Decodable {
        var value: BridgeConfiguration.DownstreamRule

        enum CodingKeys: String, CodingKey, CaseIterable {
            case address, topic, qos
        }

        init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            guard let address = try map.string(.address), !address.isEmpty else { throw map.fail(.address, "expected an upstream address") }
            guard let topic = try map.string(.topic), !topic.isEmpty else { throw map.fail(.topic, "expected a local topic template") }
            let qos = try map.integer(.qos, default: 1, min: 0, max: 2)
            value = .init(address: address, topic: topic, qos: QoS(rawValue: UInt8(qos))!)
        }
    }

    struct Buffer: Decodable {
        var value: BridgeConfiguration.Buffer
        init(value: BridgeConfiguration.Buffer) { self.value = value }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxMessages = "max_messages"
            case maxBytes = "max_bytes"
            case overflow
        }

        init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            value = .init(maxMessages: try map.integer(.maxMessages, default: 1_000_000, min: 1),
                          maxBytes: try map.integer(.maxBytes, default: 1 << 30, min: 1024),
                          overflow: try map.choice(.overflow, default: BridgeConfiguration.OverflowPolicy.dropOldest))
        }
    }
}
