import FoundationEssentials
import PierAdminModel
import PierBridge
import PierConnection
import PierCore

/// The admin API's documents made from the broker's own state (the documents themselves are in
/// PierAdminModel, shared with `pier ctl`). `wallOffset` turns the core's monotonic times into the
/// epoch milliseconds the API promises (see `AdminAPI.wallOffset`).
extension AdminDocument.Connection {
    init(_ e: ConnectionRegistry.Entry, wallOffset: Int64) {
        self.init(id: e.id, protocol: e.protocolName, listener: e.listener, remoteAddress: e.remoteAddress, clientId: e.clientID,
                  user: e.username, connectedSince: e.connectedSince + wallOffset)
    }
}

extension AdminDocument.Session {
    init(_ s: SessionSummary) {
        self.init(clientId: s.clientID, user: s.username, connected: s.connected, persistent: s.persistent,
                  subscriptions: s.subscriptions, queued: s.queued)
    }
}

extension AdminDocument.Queue {
    init(_ q: QueueManager.Summary) {
        self.init(name: q.name, depth: q.depth, inFlight: q.inFlight, consumers: q.consumers)
    }
}

extension AdminDocument.Message {
    init(_ m: PierCore.Message, wallOffset: Int64) {
        let bytes = Array(m.payload.readableBytesView)
        self.init(id: m.id, destination: m.destination.isQueue ? "queue://\(m.destination.name)" : "topic://\(m.destination.name)",
                  payload: String(validating: bytes, as: UTF8.self), payloadBase64: Data(bytes).base64EncodedString(),
                  persistent: m.isPersistent, priority: Int(m.headers.priority), redeliveryCount: Int(m.headers.redeliveryCount),
                  expiresAt: m.expiresAt.map { $0 + wallOffset },
                  properties: Dictionary(m.properties.map { ($0.name, $0.value.stringValue) }, uniquingKeysWith: { _, last in last }))
    }
}

extension AdminDocument.Retained {
    init(_ m: PierCore.Message, wallOffset: Int64) {
        self.init(topic: m.topic, qos: Int(m.qos.rawValue), bytes: m.payload.readableBytes,
                  payload: String(validating: Array(m.payload.readableBytesView), as: UTF8.self), expiresAt: m.expiresAt.map { $0 + wallOffset })
    }
}

extension AdminDocument.Bridge {
    init(name: String, _ s: PierBridge.Bridge.State) {
        self.init(name: name, connected: s.connectedAddress != nil, connectedAddress: s.connectedAddress,
                  backlogMessages: s.backlogMessages, backlogBytes: s.backlogBytes, forwarded: s.forwarded, dropped: s.dropped,
                  deadLettered: s.deadLettered, paused: s.paused)
    }
}
