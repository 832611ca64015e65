import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PierTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends `pier ctl`'s requests to the admin API over NIO's HTTP/1.1 client codec, TLS below it for
/// https, one connection per request, on one event loop that lives as long as the call.
public enum AdminClient {
    public static func send(_ requests: [AdminHTTPRequest], to endpoint: AdminEndpoint, user: String?, password: String?,
                            caFile: String?, timeout: TimeAmount = .seconds(30)) throws(AdminFailure) -> [AdminHTTPResponse] {
        if caFile != nil && !endpoint.tls { throw .usage("--cacert is for https:// URLs; \(endpoint.url) is plain http") }
        let sslContext = endpoint.tls ? try tlsContext(caFile: caFile) : nil
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var responses: [AdminHTTPResponse] = []
        for request in requests {
            let head = request.head(for: endpoint, user: user, password: password)
            responses.append(try send(head, to: endpoint, sslContext: sslContext, on: group.next(), timeout: timeout))
        }
        return responses
    }

    private static func send(_ head: HTTPRequestHead, to endpoint: AdminEndpoint, sslContext: NIOSSLContext?,
                             on loop: any EventLoop, timeout: TimeAmount) throws(AdminFailure) -> AdminHTTPResponse {
        let done = loop.makePromise(of: AdminHTTPResponse.self)
        // SNI carries names only; for an address NIOSSL checks the certificate's IP entries instead.
        let serverHostname = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) == nil ? endpoint.host : nil
        let channel: any Channel
        do {
            channel = try ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(AdminResponseHandler(head: head, done: done))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).wait()
        } catch {
            done.fail(error)
            throw .unreachable("cannot connect to the admin API at \(endpoint.url): \(describe(error))")
        }
        let timer = loop.scheduleTask(in: timeout) {
            done.fail(AdminFailure.unreachable("no answer from the admin API at \(endpoint.url) within \(timeout.nanoseconds / 1_000_000_000) s"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try done.futureResult.wait()
        } catch {
            if let failure = error as? AdminFailure { throw failure }
            if isTLS(error) { throw .unreachable("TLS with the admin API at \(endpoint.url) failed: \(describe(error))") }
            throw .failed("the admin API at \(endpoint.url): \(describe(error))")
        }
    }

    private static func tlsContext(caFile: String?) throws(AdminFailure) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            do { tls.trustRoots = .certificates(try PEMFile.certificates(caFile, role: "CA file")) } catch { throw .usage(error.message) }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .usage("cannot set up TLS: \(TLSErrorText.describe(error))")
        }
    }

    /// The system's words for a socket error ("Connection refused") rather than NIO's nested dumps.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case let error as ChannelError:
            if case .connectTimeout = error { return "timed out" }
            return "\(error)"
        case _ where isTLS(error):
            return TLSErrorText.describe(error)
        case is HTTPParserError:
            return "malformed HTTP answer (\(error))"
        default:
            return "\(error)"
        }
    }

    private static func isTLS(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }
}
