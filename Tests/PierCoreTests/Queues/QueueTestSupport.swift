import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Synchronization
import PierMetrics
import XCTest

@testable import PierCore

/// A consumer connection that records what it is handed.
final class RecordingConsumer: QueueConsumerConnection, @unchecked Sendable {
    let eventLoop: any EventLoop
    private let box = NIOLockedValueBox<[QueueDelivery]>([])

    init(loop: any EventLoop) { self.eventLoop = loop }

    func deliver(_ deliveries: [QueueDelivery]) {
        box.withLockedValue { $0.append(contentsOf: deliveries) }
    }

    var received: [QueueDelivery] { box.withLockedValue { $0 } }
    var payloads: [String] { received.map { String(buffer: $0.message.payload) } }

    /// Takes what arrived so far.
    func take() -> [QueueDelivery] {
        box.withLockedValue { d in
            defer { d = [] }
            return d
        }
    }
}

/// Records every storage append, and folds them like a real store.
final class RecordingStorage: BrokerStorage, @unchecked Sendable {
    let inner = InMemoryStorage()
    private let box = NIOLockedValueBox<[[StorageRecord]]>([])

    func load() throws -> StoredState { try inner.load() }

    func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?) {
        box.withLockedValue { $0.append(records) }
        inner.append(records, onCommit: onCommit)
    }

    var appends: [[StorageRecord]] { box.withLockedValue { $0 } }
}

final class TestClock: Sendable {
    let now = Atomic<Int64>(1_000_000)
    func advance(_ ms: Int64) { now.add(ms, ordering: .relaxed) }
}

struct QueueHarness {
    let loop = EmbeddedEventLoop()
    let storage = RecordingStorage()
    let clock = TestClock()
    let metrics = MetricsRegistry()
    let manager: QueueManager

    /// A queue's counter as `/metrics` would show it.
    func counter(_ name: String, queue: String = "q") -> Int {
        MetricsSnapshot(exposition: metrics.prometheus.emitToBuffer()).count(name, matching: ["queue": queue])
    }

    init(policy: QueuePolicy = QueuePolicy()) {
        let ids = Atomic<UInt64>(1)
        let clock = self.clock
        let storage = self.storage
        let loop = self.loop
        manager = QueueManager(storage: storage, group: loop, policies: QueuePolicies(fallback: policy),
                               metrics: metrics.factory, clock: { clock.now.load(ordering: .relaxed) },
                               nextID: { [ids = ids] in ids.wrappingAdd(1, ordering: .relaxed).oldValue })
    }

    func message(_ text: String, persistent: Bool = true, properties: [MessageProperty] = [], headers: MessageHeaders = MessageHeaders()) -> Message {
        var h = headers
        h.persistent = persistent
        return Message(destination: .queue("q"), payload: ByteBuffer(string: text), properties: properties, headers: h)
    }

    @discardableResult
    func send(_ text: String, to queue: String = "q", persistent: Bool = true, properties: [MessageProperty] = [],
              headers: MessageHeaders = MessageHeaders(), transaction: QueueTransaction? = nil) -> Result<Void, QueueError>? {
        let result = NIOLockedValueBox<Result<Void, QueueError>?>(nil)
        manager.send(message(text, persistent: persistent, properties: properties, headers: headers), to: queue,
                     transaction: transaction) { r in result.withLockedValue { $0 = r } }
        loop.run()
        return result.withLockedValue { $0 }
    }

    func consumer(_ queue: String = "q", _ options: ConsumerOptions = ConsumerOptions()) throws -> (QueueConsumer, RecordingConsumer) {
        let rec = RecordingConsumer(loop: loop)
        let c = try manager.addConsumer(queue: queue, options: options, connection: rec)
        loop.run()
        return (c, rec)
    }
}
