import CoreMetrics

/// One listener's series, labelled `listener` and `protocol`. Broker-wide figures (`$SYS`'s
/// `bytes/received`, `messages/sent`) are the sums of these, so the hot path counts each event once.
public struct ListenerMetrics: Sendable {
    /// Why a connection was refused at admission, as the `reason` label says it.
    public enum Refusal: String, Sendable, CaseIterable {
        case serverBusy = "server_busy"
        case badCredentials = "bad_credentials"
        case notAuthorized = "not_authorized"
    }

    /// Open connections (sockets past the handshake), whether or not they have logged in yet.
    public let connections: Meter
    /// Logins admitted.
    public let connects: Counter
    public let bytesReceived: Counter
    public let bytesSent: Counter
    /// Messages clients sent to topics or queues through this listener.
    public let messagesReceived: Counter
    /// Messages delivered to clients of this listener.
    public let messagesSent: Counter
    private let refusals: [Counter]

    public init(listener: String, protocolName: String, factory: any MetricsFactory) {
        let d = [("listener", listener), ("protocol", protocolName)]
        connections = Meter(label: "pier_listener_connections", dimensions: d, factory: factory)
        connects = Counter(label: "pier_listener_connects_total", dimensions: d, factory: factory)
        bytesReceived = Counter(label: "pier_listener_received_bytes_total", dimensions: d, factory: factory)
        bytesSent = Counter(label: "pier_listener_sent_bytes_total", dimensions: d, factory: factory)
        messagesReceived = Counter(label: "pier_listener_messages_received_total", dimensions: d, factory: factory)
        messagesSent = Counter(label: "pier_listener_messages_sent_total", dimensions: d, factory: factory)
        refusals = Refusal.allCases.map {
            Counter(label: "pier_listener_refusals_total", dimensions: d + [("reason", $0.rawValue)], factory: factory)
        }
    }

    public func refused(_ reason: Refusal) {
        refusals[Refusal.allCases.firstIndex(of: reason)!].increment()
    }
}
