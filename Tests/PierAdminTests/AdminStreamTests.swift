import NIOCore
import NIOEmbedded
import NIOHTTP1
import PierConnection
import PierCore
import XCTest

@testable import PierAdmin

/// Event streams end to end over an embedded channel (request bytes in, chunked response out), and the
/// stream's bounded buffer on its own.
final class AdminStreamTests: XCTestCase {
    private struct Fixture {
        var channel: EmbeddedChannel
        var broker: Broker
        var logs: AdminLogFanOut
    }

    private func fixture(anonymous: Bool = true) throws -> Fixture {
        let channel = EmbeddedChannel()
        let broker = Broker(group: channel.embeddedEventLoop)
        let logs = AdminLogFanOut()
        let context = AdminContext(version: "test", startedAtMillis: BrokerClock.nowMillis(), haRole: "standalone", dataDir: "/d",
                                   broker: broker, connections: ConnectionRegistry(), listeners: { [] }, bridges: { [] }, logs: logs)
        let access = AdminAccess(authenticator: nil, allowAnonymous: anonymous, isAdmin: { _ in false })
        try AdminHTTPServer.configure(channel.pipeline.syncOperations, api: AdminAPI(context: context), access: access)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return Fixture(channel: channel, broker: broker, logs: logs)
    }

    private func output(_ channel: EmbeddedChannel) throws -> String {
        channel.embeddedEventLoop.run()
        var out = ""
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: b) }
        return out
    }

    private func request(_ f: Fixture, _ target: String) throws -> String {
        try f.channel.writeInbound(ByteBuffer(string: "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n"))
        return try output(f.channel)
    }

    func testTheLogStreamCarriesRecordsAndPings() throws {
        let f = try fixture()
        let head = try request(f, "/api/events")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200 OK\r\n"), head)
        XCTAssertTrue(head.contains("Content-Type: text/event-stream; charset=utf-8\r\n"), head)
        XCTAssertTrue(head.contains("transfer-encoding: chunked\r\n"), head)
        XCTAssertTrue(head.contains(": open\n\n"), head)
        XCTAssertEqual(f.logs.subscriberCount, 1)

        f.logs.publish(label: "pier.test", level: .warning, message: "disk low", metadata: ["free": "1%"], source: "T")
        let event = try output(f.channel)
        XCTAssertTrue(event.contains(#"data: {"label":"pier.test","level":"warning","message":"disk low","metadata":{"free":"1%"}"#), event)

        f.channel.embeddedEventLoop.advanceTime(by: AdminHTTPServer.heartbeat)
        XCTAssertTrue(try output(f.channel).contains(": ping\n\n"))
        f.channel.embeddedEventLoop.advanceTime(by: AdminHTTPServer.idleTimeout)
        XCTAssertTrue(f.channel.isActive, "a stream's client only reads; the idle timeout does not apply")

        _ = try f.channel.close().wait()
        XCTAssertEqual(f.logs.subscriberCount, 0, "the subscription ends with the connection")
        XCTAssertFalse(f.logs.hasSubscribers)
    }

    func testTheTailDeliversMatchingPublishesAndEndsItsSession() throws {
        let f = try fixture()
        XCTAssertTrue(try request(f, "/api/tail?topic=sensors%2F%23").contains(": open\n\n"))
        XCTAssertEqual(f.broker.sessionCount, 1)
        f.broker.publish(Message(destination: .topic("sensors/t1"), payload: ByteBuffer(string: "21.5")))
        f.broker.publish(Message(destination: .topic("other/t1"), payload: ByteBuffer(string: "no")))
        let out = try output(f.channel)
        XCTAssertTrue(out.contains(#""payload":"21.5""#) && out.contains(#""topic":"sensors\/t1""#) || out.contains(#""topic":"sensors/t1""#), out)
        XCTAssertFalse(out.contains(#""payload":"no""#), out)

        _ = try f.channel.close().wait()
        f.channel.embeddedEventLoop.run()
        XCTAssertEqual(f.broker.sessionCount, 0, "the tail's session ends with the connection")
        XCTAssertEqual(f.broker.subscriptionCount, 0)
    }

    func testStreamsNeedAccessButTheConsoleDoesNot() throws {
        let f = try fixture(anonymous: false)
        XCTAssertTrue(try request(f, "/api/events").hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        XCTAssertTrue(try request(f, "/api/tail?topic=a").hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        let page = try request(f, "/")
        XCTAssertTrue(page.hasPrefix("HTTP/1.1 200 OK\r\n"), page)
        XCTAssertTrue(page.contains("Content-Type: text/html; charset=utf-8\r\n"), page)
        XCTAssertTrue(page.contains("<title>Pier console</title>"), page)
        XCTAssertEqual(f.logs.subscriberCount, 0)
    }

    func testASlowReaderLosesTheOldestEventsAndIsToldHowMany() throws {
        let channel = EmbeddedChannel()
        let stream = AdminStream(channel: channel)
        channel.isWritable = false
        for i in 0..<(AdminStream.capacity + 6) { stream.offer("data: \(i)\n\n") }
        channel.embeddedEventLoop.run()
        XCTAssertNil(try channel.readOutbound(as: HTTPServerResponsePart.self), "nothing is written while the socket is backed up")

        channel.isWritable = true
        stream.flush()
        guard case .body(.byteBuffer(let b)) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return XCTFail("no body") }
        let text = String(buffer: b)
        XCTAssertTrue(text.hasPrefix(": dropped 6 events"), text)
        XCTAssertFalse(text.contains("data: 5\n"))
        XCTAssertTrue(text.contains("data: 6\n") && text.contains("data: \(AdminStream.capacity + 5)\n"))

        let closed = expectation(description: "cleanup")
        stream.onClose { closed.fulfill() }
        stream.close()
        wait(for: [closed], timeout: 1)
        stream.offer("data: late\n\n")
        channel.embeddedEventLoop.run()
        XCTAssertNil(try channel.readOutbound(as: HTTPServerResponsePart.self), "a closed stream takes nothing")
    }
}
