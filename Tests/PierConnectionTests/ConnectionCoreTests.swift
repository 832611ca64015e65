import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import PierMetrics
import XCTest

@testable import PierConnection
@testable import PierCore

/// Holds commit callbacks until the test releases them, like a log whose fsync is slow.
private final class HeldStorage: BrokerStorage, @unchecked Sendable {
    private let held = NIOLockedValueBox<[@Sendable () -> Void]>([])
    func load() throws -> StoredState { StoredState() }
    func append(_ records: [StorageRecord], onCommit: (@Sendable () -> Void)?) {
        if let onCommit { held.withLockedValue { $0.append(onCommit) } }
    }
    func release() {
        let callbacks = held.withLockedValue { h in defer { h = [] }; return h }
        for c in callbacks { c() }
    }
}

private struct FixedAuthenticator: Authenticator {
    func authenticate(username: String?, password: [UInt8]?, identity: ClientIdentity, allowAnonymous: Bool) -> AuthenticationResult {
        switch (username, password.map { String(decoding: $0, as: UTF8.self) }) {
        case ("alice", "secret"): return .accepted
        case ("alice", _): return .badCredentials
        default: return .notAuthorized
        }
    }
}

final class ConnectionCoreTests: XCTestCase {
    private let metrics = MetricsRegistry()

    private func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(exposition: metrics.prometheus.emitToBuffer())
    }

    private func make(storage: any BrokerStorage = InMemoryStorage(), maxConnections: Int = 10,
                      activeFirst: Bool = false) throws -> (EmbeddedChannel, LineProtocolHandler, Broker) {
        let channel = EmbeddedChannel()
        let broker = Broker(group: channel.embeddedEventLoop, storage: storage, metrics: metrics.factory)
        let listener = ListenerContext(name: "test", broker: broker, authenticator: FixedAuthenticator(), allowAnonymous: false,
                                       maxConnections: maxConnections, logger: Logger(label: "test"))
        let handler = LineProtocolHandler(listener: listener)
        if activeFirst {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try channel.pipeline.syncOperations.addHandler(handler)
        } else {
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }
        return (channel, handler, broker)
    }

    private func send(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    private func output(_ channel: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out.append(String(buffer: b)) }
        return out
    }

    func testEverythingAnsweredInOneReadCycleGoesOutInOneWrite() throws {
        let (channel, _, _) = try make()
        try send(channel, "a\nb\nc\n")
        XCTAssertEqual(try output(channel), ["A\nB\nC\n"])
    }

    func testAPartialFrameWaitsForTheRestAcrossReads() throws {
        let (channel, _, _) = try make()
        try send(channel, "goo")
        try send(channel, "d da")
        XCTAssertEqual(try output(channel), [])
        try send(channel, "y\nx")
        XCTAssertEqual(try output(channel), ["GOOD DAY\n"])
        try send(channel, "\n")
        XCTAssertEqual(try output(channel), ["X\n"])
    }

    func testDiscardDropsTheRestOfTheInput() throws {
        let (channel, _, _) = try make()
        try send(channel, "garbage\nnot seen\n")
        XCTAssertEqual(try output(channel), [])
    }

    func testSweepingStartsWhenAddedToAnAlreadyActiveChannel() throws {
        let (channel, handler, _) = try make(activeFirst: true)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(600))
        XCTAssertGreaterThan(handler.sweeps, 0, "a handler added after activation (a WebSocket upgrade) is swept too")
        _ = try channel.finish()
    }

    func testSweepingStartsOnActivationAndStopsOnClose() throws {
        let (channel, handler, _) = try make()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(600))
        let seen = handler.sweeps
        XCTAssertGreaterThan(seen, 0)
        _ = try channel.finish()
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        XCTAssertEqual(handler.sweeps, seen)
    }

    func testAdmissionChecksTheLimitThenTheCredentialsAndCountsEachOutcome() throws {
        let (channel, handler, broker) = try make(maxConnections: 1)
        try send(channel, "hello alice secret\nhello alice wrong\nhello bob x\n")
        XCTAssertEqual(handler.admissions, [.accepted, .badCredentials, .notAuthorized])
        broker.stats.clientConnected()
        try send(channel, "hello alice secret\n")
        XCTAssertEqual(handler.admissions.last, .serverBusy)
        let m = snapshot()
        let labels = ["listener": "test", "protocol": "mqtt"]
        XCTAssertEqual(m.value("pier_listener_connects_total", labels), 1)
        for reason in ["bad_credentials", "not_authorized", "server_busy"] {
            XCTAssertEqual(m.value("pier_listener_refusals_total", labels.merging(["reason": reason]) { $1 }), 1, reason)
        }
        XCTAssertEqual(m.value("pier_listener_connections", labels), 1)
    }

    func testAcknowledgementsWaitForTheCommitAndComeBackOnTheLoop() throws {
        let storage = HeldStorage()
        let (channel, handler, _) = try make(storage: storage)
        try send(channel, "ack 1\nack 2\n")
        XCTAssertEqual(try output(channel), [])
        XCTAssertEqual(handler.core.pendingCommits, 2)
        storage.release()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try output(channel).joined(), "ok 1\nok 2\n")
        XCTAssertEqual(handler.core.pendingCommits, 0)
    }

    func testCloseWaitsBehindAcknowledgementsStillOnTheLog() throws {
        let storage = HeldStorage()
        let (channel, _, _) = try make(storage: storage)
        try send(channel, "ack 1\nbye\n")
        XCTAssertTrue(channel.isActive, "bye waits for ack 1")
        storage.release()
        channel.embeddedEventLoop.run()
        storage.release()  // the barrier behind it
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try output(channel).joined(), "ok 1\nbye\n")
        XCTAssertFalse(channel.isActive)
    }

    func testNothingIsWrittenAfterTheChannelCloses() throws {
        let storage = HeldStorage()
        let (channel, _, _) = try make(storage: storage)
        try send(channel, "ack 1\n")
        _ = try channel.finish()
        storage.release()
        channel.embeddedEventLoop.run()
        XCTAssertEqual(try output(channel), [])
    }

    func testReceivedBytesAreCountedOnce() throws {
        let (channel, _, _) = try make()
        try send(channel, "abc\n")
        XCTAssertEqual(snapshot().value("pier_listener_received_bytes_total", ["listener": "test", "protocol": "mqtt"]), 4)
    }
}
