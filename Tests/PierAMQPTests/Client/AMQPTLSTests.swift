import Foundation
import NIOCore
import NIOPosix
@testable import PierAMQP
import XCTest

/// amqps setup without a real peer: bad files fail the connect before any I/O, and a peer that is
/// not speaking TLS (or not speaking at all) fails it instead of leaving it hanging.
final class AMQPTLSTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var directory: URL!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pier-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
        try group?.syncShutdownGracefully()
    }

    private func connect(port: Int, tls: AMQPTLSConfiguration?, openTimeoutMillis: UInt32 = 30_000) -> EventLoopFuture<AMQPConnection> {
        let configuration = AMQPConnectionConfiguration(containerID: "pier-tls-test", openTimeoutMillis: openTimeoutMillis)
        return AMQPConnection.connect(host: "127.0.0.1", port: port, configuration: configuration, tls: tls, group: group)
    }

    private func assertConnectFails(port: Int = 1, tls: AMQPTLSConfiguration?, openTimeoutMillis: UInt32 = 30_000,
                                    file: StaticString = #filePath, line: UInt = #line,
                                    _ check: (AMQPClientError) -> Void) {
        XCTAssertThrowsError(try connect(port: port, tls: tls, openTimeoutMillis: openTimeoutMillis).wait(), file: file, line: line) { error in
            guard let error = error as? AMQPClientError else { return XCTFail("\(type(of: error)): \(error)", file: file, line: line) }
            check(error)
        }
    }

    func testMissingCAFileFailsTheConnect() {
        let path = directory.appendingPathComponent("no-such-ca.pem").path
        // Port 1: nothing listens there, so only failing before any I/O gives this error.
        assertConnectFails(tls: AMQPTLSConfiguration(caFile: path)) { error in
            guard case .tlsConfiguration(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains(path), detail)
            XCTAssertTrue("\(error)".hasPrefix("TLS configuration error: cannot read CA file"), "\(error)")
        }
    }

    func testCAFileWithoutCertificatesFailsTheConnect() throws {
        let path = directory.appendingPathComponent("empty.pem").path
        try "not a certificate\n".write(toFile: path, atomically: true, encoding: .utf8)
        assertConnectFails(tls: AMQPTLSConfiguration(caFile: path)) { error in
            guard case .tlsConfiguration(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains(path), detail)
        }
    }

    func testClientCertificateNeedsItsKey() {
        assertConnectFails(tls: AMQPTLSConfiguration(certificateFile: "/etc/hostname")) { error in
            XCTAssertEqual(error, .tlsConfiguration("a certificate file needs its private key file"))
        }
        assertConnectFails(tls: AMQPTLSConfiguration(privateKeyFile: "/etc/hostname")) { error in
            XCTAssertEqual(error, .tlsConfiguration("a private key file needs its certificate file"))
        }
    }

    func testServerNameDefaultsToTheHostButNeverAnIPLiteral() throws {
        let tls = AMQPTLSConfiguration()
        XCTAssertEqual(try tls.serverHostname(connectingTo: "b-1234.mq.eu-west-1.amazonaws.com"), "b-1234.mq.eu-west-1.amazonaws.com")
        XCTAssertNil(try tls.serverHostname(connectingTo: "127.0.0.1"))
        XCTAssertNil(try tls.serverHostname(connectingTo: "::1"))
        XCTAssertNil(try tls.serverHostname(connectingTo: "[::1]"))
        let named = AMQPTLSConfiguration(serverName: "broker.example.com")
        XCTAssertEqual(try named.serverHostname(connectingTo: "10.0.0.7"), "broker.example.com")
        XCTAssertThrowsError(try AMQPTLSConfiguration(serverName: "10.0.0.7").serverHostname(connectingTo: "h")) { error in
            guard case .tlsConfiguration(let detail)? = error as? AMQPClientError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("IP address"), detail)
        }
    }

    /// A listener that answers the first bytes it reads with `reply` and closes, or says nothing.
    private func listener(reply: String?) throws -> any Channel {
        try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let reply { try channel.pipeline.syncOperations.addHandler(ReplyAndClose(reply: reply)) }
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func testPeerNotSpeakingTLSFailsTheHandshake() throws {
        let server = try listener(reply: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        defer { try? server.close().wait() }
        assertConnectFails(port: server.localAddress!.port!, tls: AMQPTLSConfiguration()) { error in
            guard case .tlsHandshakeFailed = error else { return XCTFail("\(error)") }
        }
    }

    func testSilentPeerTimesOutDuringTheHandshake() throws {
        let server = try listener(reply: nil)
        defer { try? server.close().wait() }
        let started = Date()
        assertConnectFails(port: server.localAddress!.port!, tls: AMQPTLSConfiguration(), openTimeoutMillis: 300) { error in
            XCTAssertEqual(error, .openTimedOut(milliseconds: 300))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testSilentPeerTimesOutWithoutTLSToo() throws {
        let server = try listener(reply: nil)
        defer { try? server.close().wait() }
        assertConnectFails(port: server.localAddress!.port!, tls: nil, openTimeoutMillis: 300) { error in
            XCTAssertEqual(error, .openTimedOut(milliseconds: 300))
        }
    }
}

private final class ReplyAndClose: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: String
    private var replied = false

    init(reply: String) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !replied else { return }
        replied = true
        let buffer = context.channel.allocator.buffer(string: reply)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
