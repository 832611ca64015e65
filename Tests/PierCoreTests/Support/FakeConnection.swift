import NIOConcurrencyHelpers
import NIOCore
@testable import PierCore

/// Records what the broker does to a connection. Thread-safe, as `SessionConnection` requires.
final class FakeConnection: SessionConnection {
    struct Record {
        var deliveries: [Delivery] = []
        var batches = 0
        var takenOver = 0
        var shutDown = 0
    }

    let eventLoop: any EventLoop
    private let record = NIOLockedValueBox(Record())

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    var deliveries: [Delivery] { record.withLockedValue { $0.deliveries } }
    var payloads: [String] { deliveries.map { String(buffer: $0.message.payload) } }
    var takenOver: Int { record.withLockedValue { $0.takenOver } }
    var shutDown: Int { record.withLockedValue { $0.shutDown } }

    func deliver(_ deliveries: [Delivery]) {
        record.withLockedValue {
            $0.deliveries.append(contentsOf: deliveries)
            $0.batches += 1
        }
    }

    func sessionTakenOver() { record.withLockedValue { $0.takenOver += 1 } }
    func serverShuttingDown() { record.withLockedValue { $0.shutDown += 1 } }
}
