import NIOCore
import NIOEmbedded
import NIOHTTP1
import PierConnection
import PierCore
import XCTest

@testable import PierAdmin

/// The HTTP side of the admin API over an embedded channel: raw request bytes in, response bytes out.
final class AdminHTTPHandlerTests: XCTestCase {
    private func channel(anonymous: Bool = true) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let broker = Broker(group: channel.embeddedEventLoop)
        let context = AdminContext(version: "test", startedAtMillis: BrokerClock.nowMillis(), haRole: "standalone", dataDir: "/d",
                                   broker: broker, connections: ConnectionRegistry(), listeners: { [] }, bridges: { [] })
        let access = AdminAccess(authenticator: nil, allowAnonymous: anonymous, isAdmin: { _ in false })
        try AdminHTTPServer.configure(channel.pipeline.syncOperations, api: AdminAPI(context: context), access: access)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private func exchange(_ channel: EmbeddedChannel, _ request: String) throws -> String {
        // A decode error is thrown here after the handler has answered it; the answer is what is checked.
        _ = try? channel.writeInbound(ByteBuffer(string: request))
        channel.embeddedEventLoop.run()
        var out = ""
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: b) }
        return out
    }

    func testAJSONAnswerWithItsLength() throws {
        let c = try channel()
        let reply = try exchange(c, "GET /api/broker HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200 OK\r\n"), reply)
        XCTAssertTrue(reply.contains("content-type: application/json") || reply.contains("Content-Type: application/json"), reply)
        XCTAssertTrue(reply.contains(#""data_dir":"\/d""#) || reply.contains(#""data_dir":"/d""#), reply)
        XCTAssertTrue(c.isActive, "keep-alive")
    }

    func testStartedAtIsEpochMillisThoughTheCoreCountsOnAMonotonicClock() throws {
        let reply = try exchange(try channel(), "GET /api/broker HTTP/1.1\r\nHost: x\r\n\r\n")
        let match = try XCTUnwrap(reply.firstRange(of: #/"started_at":(\d+)/#))
        let startedAt = try XCTUnwrap(Int64(reply[match].split(separator: ":")[1]))
        XCTAssertLessThan(abs(startedAt - BrokerClock.wallMillis()), 60_000, reply)
    }

    func testWithoutCredentialsTheChallengeIsBasicRealmPier() throws {
        let reply = try exchange(try channel(anonymous: false), "GET /api/broker HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), reply)
        XCTAssertTrue(reply.contains("WWW-Authenticate: Basic realm=\"pier\"\r\n"), reply)
    }

    func testScriptsGetNoChallengeThatWouldOpenTheBrowsersDialog() throws {
        let reply = try exchange(try channel(anonymous: false), "GET /api/broker HTTP/1.1\r\nHost: x\r\nX-Requested-With: pier-console\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), reply)
        XCTAssertFalse(reply.contains("WWW-Authenticate"), reply)
    }

    func testWrongMethodNamesTheAllowedOnes() throws {
        let reply = try exchange(try channel(), "PUT /api/queues HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), reply)
        XCTAssertTrue(reply.contains("Allow: GET\r\n"), reply)
    }

    func testALargeBodyIsRefusedAndTheConnectionClosesOnceItIsRead() throws {
        let c = try channel()
        let reply = try exchange(c, "POST /api/broker HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), reply)
        XCTAssertTrue(c.isActive, "the client may still be sending")
        _ = try exchange(c, String(repeating: "x", count: 70000))
        XCTAssertFalse(c.isActive)
    }

    func testGarbageGetsA400AndAClose() throws {
        let c = try channel()
        let reply = try exchange(c, "\u{1}\u{2} NOT HTTP\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), reply)
        XCTAssertFalse(c.isActive)
    }

    func testOversizedHeadersGetA431() throws {
        let c = try channel()
        let reply = try exchange(c, "GET /api/broker HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 100 * 1024))\r\n\r\n")
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), reply)
    }
}
