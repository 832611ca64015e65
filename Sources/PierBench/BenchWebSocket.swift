/// How the load generator reaches a broker over WebSocket instead of plain TCP: the HTTP/1.1 upgrade
/// request's path and the subprotocol it offers (`mqtt` picks MQTT on brokers that serve several protocols).
public struct BenchWebSocket: Sendable, Equatable {
    public var path: String
    public var subprotocol: String
    /// Largest frame accepted from the broker. Brokers send one frame per MQTT packet (or per write), so
    /// this only needs to exceed the largest delivery; the decoder never buffers more than one frame.
    public var maxFrameSize: Int

    public init(path: String = "/mqtt", subprotocol: String = "mqtt", maxFrameSize: Int = 1 << 24) {
        self.path = path
        self.subprotocol = subprotocol
        self.maxFrameSize = maxFrameSize
    }

    public func validate() throws(BenchConfigError) {
        guard path.hasPrefix("/"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw BenchConfigError("--ws-path must start with / and hold no spaces, got \(path)")
        }
        // RFC 6455: a subprotocol is an HTTP token (no separators, no spaces).
        let separators = Set("()<>@,;:\\\"/[]?={} \t\r\n")
        guard !subprotocol.isEmpty, !subprotocol.contains(where: { separators.contains($0) || !$0.isASCII }) else {
            throw BenchConfigError("--ws-subprotocol must be one HTTP token, got \(subprotocol)")
        }
    }
}
