import NIOConcurrencyHelpers
import PierCore

/// The bridge's side of the broker: decides, for every publish, whether the message goes upstream, and
/// applies the buffer limits. Runs on publishers' event loops, so its state sits behind one lock.
public final class BridgeTap: MessageTap {
    public let targetID: String
    private let configuration: BridgeConfiguration
    private let state = NIOLockedValueBox(Counters())

    struct Counters {
        var backlogMessages = 0
        var backlogBytes = 0
        var dropped = 0
        /// Taken while full under drop-oldest: the forwarder discards this many of the oldest it reads.
        var dropOldestOwed = 0
        var heldAcknowledgements: [@Sendable () -> Void] = []
    }

    public init(configuration: BridgeConfiguration) {
        self.configuration = configuration
        self.targetID = "$bridge/\(configuration.name)"
    }

    /// The first forward rule that applies to a message, if any.
    func rule(for message: Message) -> (BridgeConfiguration.ForwardRule, [String])? {
        guard case .topic = message.destination, message.origin != targetID else { return nil }
        for rule in configuration.forward {
            if message.retain && !rule.retained { continue }
            if let captures = TopicTemplate.captures(filter: rule.filter, topic: message.topic) { return (rule, captures) }
        }
        return nil
    }

    public func decide(_ message: Message) -> MessageTapDecision {
        guard let (rule, _) = rule(for: message) else { return .skip }
        let qos = rule.qos ?? message.qos
        guard qos != .atMostOnce || rule.durable else { return .skip }
        let size = message.payload.readableBytes
        let buffer = configuration.buffer
        return state.withLockedValue { c in
            let full = c.backlogMessages >= buffer.maxMessages || c.backlogBytes + size > buffer.maxBytes
            guard full else {
                c.backlogMessages += 1
                c.backlogBytes += size
                return .take
            }
            switch buffer.overflow {
            case .dropNewest:
                c.dropped += 1
                return .skip
            case .dropOldest:
                // Counted now; the forwarder skips the oldest message when it next reads.
                c.dropOldestOwed += 1
                c.dropped += 1
                c.backlogMessages += 1
                c.backlogBytes += size
                return .take
            case .blockPublishers:
                c.backlogMessages += 1
                c.backlogBytes += size
                return .takeAndHoldAcknowledgement(register: { [state] release in
                    state.withLockedValue { $0.heldAcknowledgements.append(release) }
                })
            }
        }
    }

    /// The forwarder finished with a message (accepted, dead-lettered or dropped): free its room, and
    /// let held publishers go once the buffer is below its limits again.
    func completed(bytes: Int) {
        let released: [@Sendable () -> Void] = state.withLockedValue { c in
            c.backlogMessages = max(0, c.backlogMessages - 1)
            c.backlogBytes = max(0, c.backlogBytes - bytes)
            let buffer = configuration.buffer
            guard c.backlogMessages <= buffer.maxMessages, c.backlogBytes <= buffer.maxBytes else { return [] }
            defer { c.heldAcknowledgements = [] }
            return c.heldAcknowledgements
        }
        for r in released { r() }
    }

    /// Whether the next message read should be discarded as the oldest (drop-oldest), counting it.
    func takeOwedDrop() -> Bool {
        state.withLockedValue { c in
            guard c.dropOldestOwed > 0 else { return false }
            c.dropOldestOwed -= 1
            return true
        }
    }

    /// The backlog found in the log at start-up.
    func restoreBacklog(messages: Int, bytes: Int) {
        state.withLockedValue { c in
            c.backlogMessages = messages
            c.backlogBytes = bytes
        }
    }

    var counters: Counters { state.withLockedValue { $0 } }
}
