import Logging
import NIOCore
import NIOEmbedded
import XCTest

@testable import PierConnection
@testable import PierCore

private struct AcceptAll: Authenticator {
    func authenticate(username: String?, password: [UInt8]?, identity: ClientIdentity, allowAnonymous: Bool) -> AuthenticationResult {
        username == "mallory" ? .badCredentials : .accepted
    }
}

final class ConnectionRegistryTests: XCTestCase {
    /// The listing, run on the loops that hold the connections (every channel here has its own embedded loop).
    private func entries(_ registry: ConnectionRegistry, _ channels: EmbeddedChannel...) throws -> [ConnectionRegistry.Entry] {
        let future = registry.entries(on: channels[0].embeddedEventLoop)
        for c in channels { c.embeddedEventLoop.run() }
        return try future.wait()
    }

    private func close(_ registry: ConnectionRegistry, id: UInt64, _ channels: EmbeddedChannel...) throws -> Bool {
        let future = registry.close(id: id, on: channels[0].embeddedEventLoop)
        for c in channels { c.embeddedEventLoop.run() }
        return try future.wait()
    }

    private func make(registry: ConnectionRegistry, activeFirst: Bool = false) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let broker = Broker(group: channel.embeddedEventLoop)
        let listener = ListenerContext(name: "lines", broker: broker, authenticator: AcceptAll(), allowAnonymous: false,
                                       maxConnections: 10, logger: Logger(label: "test"), registry: registry)
        let handler = LineProtocolHandler(listener: listener)
        if activeFirst {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4242)).wait()
            try channel.pipeline.syncOperations.addHandler(handler)
        } else {
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4242)).wait()
        }
        return channel
    }

    /// A connection on `loop` (shared by several), with its handler.
    private func make(registry: ConnectionRegistry, loop: EmbeddedEventLoop) throws -> (EmbeddedChannel, LineProtocolHandler) {
        let channel = EmbeddedChannel(loop: loop)
        let broker = Broker(group: loop)
        let listener = ListenerContext(name: "lines", broker: broker, authenticator: AcceptAll(), allowAnonymous: false,
                                       maxConnections: 10, logger: Logger(label: "test"), registry: registry)
        let handler = LineProtocolHandler(listener: listener)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4242)).wait()
        return (channel, handler)
    }

    func testEveryConnectionOfALoopIsSweptEachIntervalUntilItCloses() throws {
        let loop = EmbeddedEventLoop()
        let registry = ConnectionRegistry(sweepInterval: .milliseconds(100))
        let (c1, a) = try make(registry: registry, loop: loop)
        let (c2, b) = try make(registry: registry, loop: loop)
        loop.advanceTime(by: .milliseconds(99))
        XCTAssertEqual(a.sweeps, 0)
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual([a.sweeps, b.sweeps], [1, 1], "one timer sweeps both")
        loop.advanceTime(by: .milliseconds(200))
        XCTAssertEqual([a.sweeps, b.sweeps], [3, 3])

        // close(), not finish(): finish() drains every task scheduled on the (shared) embedded loop.
        try c1.close().wait()
        loop.advanceTime(by: .milliseconds(300))
        XCTAssertEqual([a.sweeps, b.sweeps], [3, 6], "a closed connection is no longer swept")

        try c2.close().wait()
        loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(b.sweeps, 6, "the timer stops with the loop's last connection")

        let (c3, c) = try make(registry: registry, loop: loop)
        loop.advanceTime(by: .milliseconds(100))
        XCTAssertEqual(c.sweeps, 1, "and starts again with the next")
        try c3.close().wait()
    }

    func testTheDefaultSweepIntervalIs250Milliseconds() throws {
        let loop = EmbeddedEventLoop()
        let (channel, handler) = try make(registry: ConnectionRegistry(), loop: loop)
        loop.advanceTime(by: .milliseconds(249))
        XCTAssertEqual(handler.sweeps, 0)
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(handler.sweeps, 1)
        _ = try channel.finish()
    }

    func testAConnectionIsListedFromActivationWithItsProtocolAndListener() throws {
        let registry = ConnectionRegistry()
        let channel = try make(registry: registry)
        let entries = try entries(registry, channel)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].protocolName, "line")
        XCTAssertEqual(entries[0].listener, "lines")
        XCTAssertNil(entries[0].clientID, "no identity before admission")
        XCTAssertNil(entries[0].username)
        XCTAssertEqual(entries[0].remoteAddress.map { $0.contains("127.0.0.1") }, true)
    }

    func testAHandlerAddedToAnActiveChannelIsListedToo() throws {
        let registry = ConnectionRegistry()
        _ = try make(registry: registry, activeFirst: true)
        XCTAssertEqual(registry.count, 1, "a handler added after a WebSocket upgrade never sees channelActive")
    }

    func testAdmissionRecordsTheIdentityAndARefusalDoesNot() throws {
        let registry = ConnectionRegistry()
        let accepted = try make(registry: registry)
        let refused = try make(registry: registry)
        try refused.writeInbound(ByteBuffer(string: "hello mallory x\n"))
        try accepted.writeInbound(ByteBuffer(string: "hello alice secret\n"))
        let entries = try entries(registry, accepted, refused)
        XCTAssertEqual(entries.map(\.username), [Optional("alice"), nil])
        XCTAssertEqual(entries[0].clientID, "c")
    }

    func testClosingByIdClosesTheChannelAndItLeavesTheRegistry() throws {
        let registry = ConnectionRegistry()
        let channel = try make(registry: registry)
        let other = try make(registry: registry)
        let id = try entries(registry, channel, other)[0].id
        XCTAssertTrue(try close(registry, id: id, channel, other))
        XCTAssertFalse(channel.isActive)
        XCTAssertTrue(other.isActive)
        XCTAssertEqual(try entries(registry, channel, other).map(\.id), [id + 1])
        XCTAssertEqual(registry.count, 1)
        XCTAssertFalse(try close(registry, id: id, channel, other), "a closed connection is gone")
    }

    func testAClientThatHangsUpIsUnregistered() throws {
        let registry = ConnectionRegistry()
        let channel = try make(registry: registry)
        _ = try channel.finish()
        XCTAssertEqual(registry.count, 0)
    }
}
