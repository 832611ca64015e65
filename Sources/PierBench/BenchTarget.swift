import NIOCore
import PierMQTT

/// Where and how the load generator connects: the broker address, the protocol version and the
/// client-side addresses the sockets are spread over.
public struct BenchTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var version: MQTTProtocolVersion
    public var keepAlive: UInt16
    /// Number of 127.0.0.x source addresses (0 = let the kernel choose). One address gives only
    /// about 28k ephemeral ports, so large connection counts need several.
    public var sourceAddresses: Int
    public var clientIDPrefix: String
    public var eventLoopThreads: Int
    /// Set: every connection upgrades to WebSocket first and carries MQTT in binary frames.
    public var webSocket: BenchWebSocket?

    public init(host: String = "127.0.0.1", port: Int = 1883, version: MQTTProtocolVersion = .v3_1_1,
                keepAlive: UInt16 = 60, sourceAddresses: Int = 1, clientIDPrefix: String = "pier-bench",
                eventLoopThreads: Int = BenchTarget.defaultThreads, webSocket: BenchWebSocket? = nil) {
        self.host = host
        self.port = port
        self.version = version
        self.keepAlive = keepAlive
        self.sourceAddresses = sourceAddresses
        self.clientIDPrefix = clientIDPrefix
        self.eventLoopThreads = eventLoopThreads
        self.webSocket = webSocket
    }

    /// The broker as results name it: `host:port`, or the WebSocket URL.
    public var brokerName: String {
        guard let webSocket else { return "\(host):\(port)" }
        return "ws://\(host):\(port)\(webSocket.path) (\(webSocket.subprotocol))"
    }

    public static var defaultThreads: Int { System.coreCount }

    /// Source address of the connection with this global index (round robin over 127.0.0.1…127.0.0.N).
    public func sourceAddress(forConnection index: Int) -> String? {
        guard sourceAddresses > 0 else { return nil }
        return "127.0.0.\(index % sourceAddresses + 1)"
    }

    /// Parses "3.1.1", "311", "4", "5", "5.0".
    public static func parseVersion(_ text: String) -> MQTTProtocolVersion? {
        switch text.lowercased() {
        case "3.1.1", "311", "4", "v3.1.1", "mqttv311": return .v3_1_1
        case "5", "5.0", "v5", "mqttv5": return .v5
        default: return nil
        }
    }

    public func validate() throws(BenchConfigError) {
        guard (1...65535).contains(port) else { throw BenchConfigError("--port must be 1…65535, got \(port)") }
        guard (0...254).contains(sourceAddresses) else {
            throw BenchConfigError("--source-addresses must be 0…254, got \(sourceAddresses)")
        }
        guard keepAlive > 0 else { throw BenchConfigError("--keepalive must be at least 1 second") }
        guard eventLoopThreads >= 1 else { throw BenchConfigError("--threads must be at least 1") }
        guard !clientIDPrefix.isEmpty, clientIDPrefix.utf8.count <= 40 else {
            throw BenchConfigError("--client-prefix must be 1…40 bytes")
        }
        try webSocket?.validate()
    }
}
