import NIOConcurrencyHelpers
import NIOCore
import XCTest
@testable import PierCore

/// Storage whose commits wait until the test releases them, counting what was appended.
private final class HeldStorage: BrokerStorage, Sendable {
    private struct State {
        var appended: [[StorageRecord]] = []
        var waiting: [@Sendable () -> Void] = []
    }
    private let state = NIOLockedValueBox(State())

    var appends: Int { state.withLockedValue { $0.appended.count } }
    var records: [StorageRecord] { state.withLockedValue { $0.appended.flatMap { $0 } } }

    func load() throws -> StoredState { StoredState() }

    func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?) {
        state.withLockedValue {
            $0.appended.append(records)
            if let onCommit { $0.waiting.append(onCommit) }
        }
    }

    func commitAll() {
        let waiting = state.withLockedValue { s in
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiting { w() }
    }
}

final class BrokerPublishTests: XCTestCase {
    private var loop: ManualEventLoop!
    private var storage: HeldStorage!
    private var broker: Broker!

    override func setUp() {
        super.setUp()
        loop = ManualEventLoop()
        storage = HeldStorage()
        broker = Broker(group: loop, storage: storage, authorizer: AllowAllAuthorizer(), limits: .init())
    }

    override func tearDown() {
        broker = nil
        storage = nil
        loop = nil
        super.tearDown()
    }

    private func subscriber(_ clientID: String, expiry: UInt32 = 0) throws -> FakeConnection {
        let connection = FakeConnection(eventLoop: loop)
        let box = NIOLockedValueBox<AttachResult?>(nil)
        broker.attach(identity: ClientIdentity(clientID: clientID, username: nil), cleanStart: true,
                      expiryInterval: expiry, will: nil, connection: connection)
            .whenSuccess { result in box.withLockedValue { $0 = result } }
        loop.run()
        storage.commitAll()
        loop.run()
        let session = try XCTUnwrap(box.withLockedValue { $0 }).session
        _ = broker.subscribe(session: session, filter: "t", options: .init(qos: .atLeastOnce))
        return connection
    }

    private func publish(_ payload: String, nothingAwaitingCommit: Bool, acked: NIOLockedValueBox<Int>) {
        broker.publish(Message(destination: .topic("t"), payload: ByteBuffer(string: payload), qos: .atLeastOnce),
                       nothingAwaitingCommit: nothingAwaitingCommit,
                       onCommit: { acked.withLockedValue { $0 += 1 } })
    }

    /// Neither the acknowledgement nor the delivery of "a" happens before the storage commits; both do after.
    private func assertHeldUntilCommit(acked: NIOLockedValueBox<Int>, subscriber s: FakeConnection, _ why: String,
                                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(acked.withLockedValue { $0 }, 0, why, file: file, line: line)
        XCTAssertEqual(s.payloads, [], file: file, line: line)
        storage.commitAll()
        loop.run()
        XCTAssertEqual(acked.withLockedValue { $0 }, 1, file: file, line: line)
        XCTAssertEqual(s.payloads, ["a"], file: file, line: line)
    }

    func testQoS1ToNothingDurableIsAcknowledgedAndDeliveredWithoutAWrite() throws {
        let s = try subscriber("clean")
        let before = storage.appends
        let acked = NIOLockedValueBox(0)
        publish("a", nothingAwaitingCommit: true, acked: acked)
        loop.run()
        XCTAssertEqual(storage.appends, before, "nothing durable to write")
        XCTAssertEqual(acked.withLockedValue { $0 }, 1)
        XCTAssertEqual(s.payloads, ["a"])
    }

    func testQoS1BehindAPendingCommitIsWrittenAsABarrier() throws {
        let s = try subscriber("clean")
        let before = storage.appends
        let acked = NIOLockedValueBox(0)
        publish("a", nothingAwaitingCommit: false, acked: acked)
        loop.run()
        XCTAssertEqual(storage.appends, before + 1)
        assertHeldUntilCommit(acked: acked, subscriber: s, "the acknowledgement waits for the barrier's commit")
    }

    func testQoS1ToAPersistentSessionIsStillWrittenFirst() throws {
        let s = try subscriber("persistent", expiry: 60)
        let acked = NIOLockedValueBox(0)
        publish("a", nothingAwaitingCommit: true, acked: acked)
        loop.run()
        let published = storage.records.contains {
            if case .published(_, let targets) = $0 { return targets.map(\.clientID) == ["persistent"] }
            return false
        }
        XCTAssertTrue(published, "the message is logged with the session it is queued for")
        assertHeldUntilCommit(acked: acked, subscriber: s, "the acknowledgement waits for the message's commit")
    }

    func testRetainedQoS1IsWrittenEvenWhenNothingIsWaiting() throws {
        _ = try subscriber("clean")
        let before = storage.appends
        let acked = NIOLockedValueBox(0)
        broker.publish(Message(destination: .topic("t"), payload: ByteBuffer(string: "r"), qos: .atLeastOnce, retain: true),
                       nothingAwaitingCommit: true, onCommit: { acked.withLockedValue { $0 += 1 } })
        XCTAssertEqual(storage.appends, before + 1)
        XCTAssertEqual(acked.withLockedValue { $0 }, 0)
    }
}
