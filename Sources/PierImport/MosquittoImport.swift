import PierYAML

/// `pier import mosquitto.conf`: a mosquitto 2.0 configuration as a Pier configuration, with a note for
/// every directive that could not be carried over. Password and ACL files are referenced as they are:
/// Pier reads mosquitto's formats.
public struct MosquittoImport {
    public private(set) var notes: [ImportNote] = []
    /// The Pier configuration, as YAML.
    public private(set) var yaml = ""

    /// Directives that belong to an MQTT bridge (`connection NAME` and what follows it).
    static let bridgeDirectives: Set<String> = [
        "connection", "address", "addresses", "cleansession", "clientid", "idle_timeout", "keepalive_interval",
        "local_cleansession", "local_clientid", "local_password", "local_username", "notifications",
        "notifications_local_only", "notification_topic", "remote_clientid", "remote_password", "remote_username",
        "restart_timeout", "round_robin", "start_type", "threshold", "topic", "try_private",
    ]

    /// Directives with nothing to carry over, and why.
    static let notNeeded: [String: String] = [
        "user": "run Pier as the service user of systemd/pier.service instead",
        "pid_file": "systemd tracks the process (systemd/pier.service)",
        "autosave_interval": "Pier writes every message to its log as it arrives; there is no snapshot to schedule",
        "autosave_on_changes": "Pier writes every message to its log as it arrives; there is no snapshot to schedule",
        "persistence_file": "Pier keeps its own log in data_dir; mosquitto.db is not converted (retained messages and sessions start empty)",
        "log_timestamp": "Pier's log lines always carry a timestamp",
        "log_timestamp_format": "Pier's log lines always carry a timestamp in its own format",
        "connection_messages": "Pier logs connects and disconnects at debug level",
        "set_tcp_nodelay": "not configurable in Pier",
        "memory_limit": "not supported: use max_queued_messages and max_queued_bytes, or systemd's MemoryMax=",
        "max_inflight_bytes": "not supported: Pier bounds in-flight messages by count (max_inflight)",
        "check_retain_source": "not supported",
        "upgrade_outgoing_qos": "not supported: Pier delivers at the lower of the publish and subscription QoS, as MQTT specifies",
        "queue_qos0_messages": "not supported: QoS 0 messages are not queued for offline sessions",
        "allow_duplicate_messages": "not configurable: Pier delivers one copy per matching subscription set (MQTT 5 rules)",
        "auto_id_prefix": "not configurable: Pier assigns its own client ids",
        "clientid_prefixes": "not supported",
        "bind_interface": "not supported: bind to the interface's address instead",
        "socket_domain": "not supported: bind to an IPv4 or IPv6 address instead",
        "mount_point": "not supported",
        "http_dir": "not supported: Pier serves no files on its WebSocket listeners",
        "websockets_log_level": "not configurable: WebSocket events go to Pier's own log",
        "websockets_headers_size": "not configurable",
        "capath": "not supported: give a single CA file (cafile)",
        "crlfile": "not supported: certificate revocation lists are not checked",
        "tls_version": "not configurable: Pier's TLS listeners accept TLS 1.2 and 1.3",
        "ciphers": "not configurable: Pier uses OpenSSL's default cipher list",
        "ciphers_tls1.3": "not configurable: Pier uses OpenSSL's default TLS 1.3 suites",
        "tls_engine": "not supported", "tls_engine_kpass_sha1": "not supported", "tls_keyform": "not supported",
        "psk_hint": "not supported: TLS-PSK is not available; use certificates", "psk_file": "not supported: TLS-PSK is not available; use certificates",
        "use_identity_as_username": "not supported: client certificates are verified, then the client logs in with a password",
        "use_subject_as_username": "not supported: client certificates are verified, then the client logs in with a password",
        "use_username_as_clientid": "not supported",
        "auth_plugin": "plugins are not supported", "plugin": "plugins are not supported",
        "auth_plugin_deny_special_chars": "plugins are not supported", "enable_control_api": "not supported",
        "accept_protocol_versions": "not configurable: Pier accepts MQTT 3.1, 3.1.1 and 5",
        "disable_client_cert_date_checks": "not supported",
    ]

    public init(text: String, file: String, reader: MosquittoConfReader) {
        let directives = reader.directives(of: text, file: file, notes: &notes)
        translate(directives)
    }

    // MARK: - Translation

    private mutating func translate(_ directives: [MosquittoDirective]) {
        let perListener = directives.last(where: { $0.name == "per_listener_settings" })?.arguments.first == "true"
        var defaultListener: MosquittoListener?
        var listeners: [MosquittoListener] = []
        var globalAnonymous: Bool?
        var passwordFiles: [MosquittoDirective] = []
        var aclFiles: [MosquittoDirective] = []
        var limits: [(String, Int)] = []
        var persistence = false
        var dataDir: String?
        var sysInterval: Int?
        var debugLogging = false
        var messageSizeLimit: (Int, MosquittoDirective)?
        var inBridge = false

        // Listener options before any `listener` line belong to the default listener (`port`, `bind_address`);
        // after one, to the last listener (-1: a listener that could not be imported).
        var target: Int? = nil

        func withListener(_ body: (inout MosquittoListener) -> Void) {
            if let target {
                body(&listeners[target])
            } else {
                var l = defaultListener ?? MosquittoListener(port: 1883)
                body(&l)
                defaultListener = l
            }
        }

        for d in directives {
            if d.name == "connection" { inBridge = true }
            if d.name == "listener" { inBridge = false }
            if Self.bridgeDirectives.contains(d.name) || d.name.hasPrefix("bridge_") || (inBridge && d.name != "listener") {
                if d.name == "connection" {
                    note(d, "MQTT bridge \(d.value) is not imported: Pier bridges over AMQP 1.0 (see bridge-config/ and the README's \"Bridge\" section)")
                } else {
                    note(d, "part of an MQTT bridge, not imported")
                }
                continue
            }
            if d.name.hasPrefix("plugin_opt_") || d.name.hasPrefix("auth_opt_") {
                note(d, "plugins are not supported")
                continue
            }
            if let why = Self.notNeeded[d.name] {
                note(d, why)
                continue
            }
            switch d.name {
            case "per_listener_settings":
                _ = bool(d)
            case "listener":
                guard let port = integer(d, 1...65535, argument: 0) else {
                    if d.arguments.first == "0" {
                        note(d, "unix socket listeners are not supported")
                    }
                    target = -1
                    continue
                }
                listeners.append(MosquittoListener(port: port, bind: d.arguments.count > 1 ? d.arguments[1] : nil, origin: d))
                target = listeners.count - 1
            case "port":
                guard let port = integer(d, 1...65535) else { continue }
                var l = defaultListener ?? MosquittoListener(port: port)
                l.port = port
                l.origin = d
                defaultListener = l
            case "bind_address":
                var l = defaultListener ?? MosquittoListener(port: 1883)
                l.bind = d.value
                defaultListener = l
            default:
                if target == -1 {
                    note(d, "belongs to a listener that was not imported")
                    continue
                }
                translateOption(d, perListener: perListener, withListener: withListener, globalAnonymous: &globalAnonymous,
                                passwordFiles: &passwordFiles, aclFiles: &aclFiles, limits: &limits,
                                persistence: &persistence, dataDir: &dataDir, sysInterval: &sysInterval,
                                debugLogging: &debugLogging, messageSizeLimit: &messageSizeLimit)
            }
        }

        // mosquitto 2.0: with no listener at all it listens on the loopback interface only, and then allows
        // anonymous clients; once any listener is configured, anonymous access is off unless allowed.
        var all = (defaultListener.map { [$0] } ?? []) + listeners
        let localOnly = all.isEmpty
        if localOnly { all = [MosquittoListener(port: 1883, bind: "127.0.0.1")] }

        var root: [YAMLMapEntry] = [entry("data_dir", .string(dataDir ?? "./data"))]
        var listenerNodes: [YAMLValue] = []
        var anonymousDefault = localOnly
        if let globalAnonymous { anonymousDefault = globalAnonymous }
        for l in all {
            listenerNodes.append(listenerNode(l, allowAnonymous: (perListener ? l.allowAnonymous : nil) ?? anonymousDefault))
        }
        root.append(entry("listeners", .list(listenerNodes)))

        if perListener {
            passwordFiles = all.compactMap(\.passwordFile)
            aclFiles = all.compactMap(\.aclFile)
        }
        var auth: [YAMLMapEntry] = []
        if let file = chooseOne(passwordFiles, what: "password file") { auth.append(entry("password_file", .string(file))) }
        if let file = chooseOne(aclFiles, what: "ACL file") { auth.append(entry("acl_file", .string(file))) }
        if !auth.isEmpty { root.append(entry("auth", .map(auth))) }

        if let (limit, d) = messageSizeLimit {
            if limits.contains(where: { $0.0 == "max_packet_size" }) {
                note(d, "ignored: max_packet_size is also set, and it is what Pier enforces")
            } else {
                // message_size_limit bounds the payload; Pier bounds the packet, so leave room for the largest
                // header (fixed header, a 65,535-byte topic, packet id) and no message mosquitto took is refused.
                limits.append(("max_packet_size", min(limit + 65_546, 268_435_460)))
            }
        }
        let connectionLimits = all.compactMap(\.maxConnections)
        if !connectionLimits.isEmpty {
            if connectionLimits.count == all.count, connectionLimits.allSatisfy({ $0 > 0 }) {
                limits.append(("max_connections", connectionLimits.reduce(0, +)))
            } else if let d = all.first(where: { $0.maxConnections != nil })?.origin {
                note(d, "max_connections is per listener in mosquitto and for the whole broker in Pier; not every listener has a limit, so Pier's default (10000) stays")
            }
        }
        if !limits.isEmpty {
            // A directive given twice sets its limit twice: the last value wins, at the first one's place.
            var names: [String] = []
            var values: [String: Int] = [:]
            for (name, value) in limits {
                if values.updateValue(value, forKey: name) == nil { names.append(name) }
            }
            root.append(entry("limits", .map(names.map { entry($0, .int(values[$0]!)) })))
        }
        if let sysInterval { root.append(entry("sys", .map(["interval": .int(sysInterval)]))) }
        if debugLogging { root.append(entry("logging", .map(["level": .string("debug")]))) }
        if !persistence {
            // mosquitto without `persistence true` keeps everything in memory; so does this import.
            root.append(entry("storage", .map(["engine": .string("memory")])))
        }
        yaml = header() + YAMLEmitter.emit(.map(root))
    }

    private mutating func translateOption(
        _ d: MosquittoDirective, perListener: Bool, withListener: ((inout MosquittoListener) -> Void) -> Void,
        globalAnonymous: inout Bool?, passwordFiles: inout [MosquittoDirective], aclFiles: inout [MosquittoDirective],
        limits: inout [(String, Int)], persistence: inout Bool, dataDir: inout String?, sysInterval: inout Int?,
        debugLogging: inout Bool, messageSizeLimit: inout (Int, MosquittoDirective)?
    ) {
        switch d.name {
        case "protocol":
            switch d.value {
            case "mqtt": withListener { $0.websockets = false }
            case "websockets": withListener { $0.websockets = true }
            default: note(d, "unknown protocol \(d.value)")
            }
        case "certfile": withListener { $0.certFile = d.value }
        case "keyfile": withListener { $0.keyFile = d.value }
        case "cafile": withListener { $0.caFile = d.value }
        case "require_certificate":
            if let b = bool(d) { withListener { $0.requireCertificate = b } }
        case "max_connections":
            if let n = integer(d, -1...Int(Int32.max)) { withListener { $0.maxConnections = n } }
        case "allow_anonymous":
            guard let b = bool(d) else { return }
            if perListener { withListener { $0.allowAnonymous = b } } else { globalAnonymous = b }
        case "password_file":
            if perListener { withListener { $0.passwordFile = d } } else { passwordFiles.append(d) }
        case "acl_file":
            if perListener { withListener { $0.aclFile = d } } else { aclFiles.append(d) }
        case "persistence":
            if let b = bool(d) { persistence = b }
        case "persistence_location":
            dataDir = d.value
        case "max_queued_messages":
            guard let n = integer(d, 0...Int(Int32.max)) else { return }
            if n == 0 { note(d, "0 (no limit) is not available: Pier keeps its default of 1000") } else { limits.append(("max_queued_messages", n)) }
        case "max_queued_bytes":
            guard let n = integer(d, 0...Int.max) else { return }
            if n > 0 { limits.append(("max_queued_bytes", n)) }
        case "max_inflight_messages":
            guard let n = integer(d, 0...65535) else { return }
            limits.append(("max_inflight", n == 0 ? 65535 : n))
        case "max_keepalive":
            guard let n = integer(d, 0...65535) else { return }
            limits.append(("max_keepalive", n))
        case "max_packet_size":
            guard let n = integer(d, 0...268_435_460) else { return }
            if n == 0 {
                limits.append(("max_packet_size", 268_435_460))
            } else if n < 64 {
                note(d, "below Pier's minimum of 64 bytes; 64 is used")
                limits.append(("max_packet_size", 64))
            } else {
                limits.append(("max_packet_size", n))
            }
        case "message_size_limit":
            guard let n = integer(d, 0...268_435_455) else { return }
            if n > 0 { messageSizeLimit = (n, d) }
        case "max_topic_alias":
            guard let n = integer(d, 0...65535) else { return }
            limits.append(("topic_alias_maximum", n))
        case "persistent_client_expiration":
            guard let seconds = Self.duration(d.value) else { return note(d, "cannot read the duration \(d.value)") }
            limits.append(("max_session_expiry", min(seconds, Int(UInt32.max - 1))))
        case "sys_interval":
            if let n = integer(d, 0...Int(Int32.max)) { sysInterval = n }
        case "log_type":
            if d.value == "debug" || d.value == "all" { debugLogging = true }
        case "log_dest":
            switch d.arguments.first {
            case "stdout", "stderr", "syslog", "none": break
            case "file": note(d, "Pier logs to standard error (the journal under systemd), not to a file")
            case "topic": note(d, "Pier does not publish its log on $SYS topics")
            default: note(d, "unknown log destination")
            }
        case "retain_available":
            if bool(d) == false { note(d, "not supported: retained messages are always available") }
        case "max_qos":
            if d.value != "2" { note(d, "not supported: Pier grants QoS 2") }
        case "allow_zero_length_clientid":
            if bool(d) == false { note(d, "not supported: Pier assigns ids to clients that send none, as MQTT allows") }
        default:
            note(d, "unknown directive")
        }
    }

    // MARK: - Output

    private func listenerNode(_ l: MosquittoListener, allowAnonymous: Bool) -> YAMLValue {
        let tls = l.certFile != nil || l.keyFile != nil
        let transport = l.websockets ? (tls ? "wss" : "ws") : (tls ? "tls" : "tcp")
        var m: [YAMLMapEntry] = [
            entry("protocol", .string("mqtt")),
            entry("transport", .string(transport)),
            entry("bind", .string(l.bind ?? "0.0.0.0")),
            entry("port", .int(l.port)),
            entry("allow_anonymous", .bool(allowAnonymous)),
        ]
        if tls {
            var t = [entry("cert_file", .string(l.certFile ?? "")), entry("key_file", .string(l.keyFile ?? ""))]
            if let ca = l.caFile { t.append(entry("ca_file", .string(ca))) }
            if l.requireCertificate { t.append(entry("require_client_cert", .bool(true))) }
            m.append(entry("tls", .map(t)))
        }
        return .map(m)
    }

    private func header() -> String {
        """
        # Imported from a mosquitto configuration by `pier import`. Password and ACL files are used as they are.
        # Pier defaults that differ from mosquitto's, unless set below: max_packet_size 1 MiB (mosquitto: no
        # limit), max_session_expiry 1 day (mosquitto: persistent sessions never expire), max_connections 10000.


        """
    }

    // MARK: - Helpers

    private mutating func chooseOne(_ found: [MosquittoDirective], what: String) -> String? {
        guard let first = found.first else { return nil }
        for other in found.dropFirst() where other.value != first.value {
            note(other, "Pier has one \(what) for all listeners; \(first.value) (\(first.location)) is used")
        }
        return first.value
    }

    private func entry(_ key: String, _ value: YAMLValue) -> YAMLMapEntry { YAMLMapEntry(key: key, value: value) }

    private mutating func note(_ d: MosquittoDirective, _ message: String) {
        notes.append(ImportNote(d, message))
    }

    private mutating func bool(_ d: MosquittoDirective) -> Bool? {
        switch d.value {
        case "true": return true
        case "false": return false
        default:
            note(d, "expected true or false")
            return nil
        }
    }

    private mutating func integer(_ d: MosquittoDirective, _ range: ClosedRange<Int>, argument: Int = 0) -> Int? {
        guard argument < d.arguments.count, let n = Int(d.arguments[argument]), range.contains(n) else {
            if !(d.name == "listener" && d.arguments.first == "0") {
                note(d, "expected a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return nil
        }
        return n
    }

    /// mosquitto's durations: a number and one of h, d, w, m (month, 30 days) or y (365 days).
    static func duration(_ text: String) -> Int? {
        guard let unit = text.last, let n = Int(text.dropLast()), n >= 0 else { return nil }
        let hour = 3600
        switch unit {
        case "h": return n * hour
        case "d": return n * 24 * hour
        case "w": return n * 7 * 24 * hour
        case "m": return n * 30 * 24 * hour
        case "y": return n * 365 * 24 * hour
        default: return nil
        }
    }
}
