import PierAdminModel
import Logging
import NIOConcurrencyHelpers
import PierCore
import Synchronization

/// Hands every log record the process emits to the open `/api/events` streams. Process-wide, like
/// `LoggingSystem` itself: `AdminLogHandler` wraps the bootstrapped handler and reports here. With no
/// stream open a record costs one relaxed atomic load; the JSON is built once per record, not per stream.
public final class AdminLogFanOut: Sendable {
    public static let shared = AdminLogFanOut()

    private let count = Atomic<Int>(0)
    private let streams = NIOLockedValueBox<[ObjectIdentifier: AdminStream]>([:])

    public init() {}

    public var hasSubscribers: Bool { count.load(ordering: .relaxed) > 0 }

    func add(_ stream: AdminStream) {
        streams.withLockedValue { s in
            s[ObjectIdentifier(stream)] = stream
            count.store(s.count, ordering: .relaxed)
        }
        stream.onClose { [self] in remove(stream) }
    }

    func remove(_ stream: AdminStream) {
        streams.withLockedValue { s in
            s[ObjectIdentifier(stream)] = nil
            count.store(s.count, ordering: .relaxed)
        }
    }

    var subscriberCount: Int { count.load(ordering: .relaxed) }

    /// `metadata` is already merged (handler, provider, record).
    public func publish(label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, source: String) {
        guard hasSubscribers else { return }
        let record = AdminDocument.LogRecord(
            time: BrokerClock.wallMillis(), level: level.rawValue, label: label, message: message, source: source,
            metadata: Dictionary(uniqueKeysWithValues: metadata.map { ($0.key, $0.value.description) }))
        let event = ServerSentEvent.json(record)
        for stream in streams.withLockedValue({ Array($0.values) }) { stream.offer(event) }
    }
}
