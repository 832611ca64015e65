import NIOCore
import NIOSSL
import PierTransport

/// TLS for an AMQP connection (amqps). The default value verifies the peer against the system's
/// trust store and the host name connected to, without a client certificate.
public struct AMQPTLSConfiguration: Sendable, Equatable {
    /// PEM file with the trust roots for the peer's certificate; nil means the system's trust store.
    public var caFile: String?
    /// PEM certificate (chain) presented to the peer, for mutual TLS; needs `privateKeyFile`.
    public var certificateFile: String?
    /// PEM private key of `certificateFile`.
    public var privateKeyFile: String?
    /// Verify the peer's certificate chain and name. false accepts any certificate: for labs only.
    public var verify: Bool
    /// The name sent as SNI and checked against the peer's certificate; nil means the host connected
    /// to. When that host is an IP literal, no SNI is sent and the certificate must name the address.
    /// (NIOSSL also accepts a certificate whose IP SAN matches the address connected to, whatever
    /// the name.) An IP literal here is refused: SNI cannot carry one.
    public var serverName: String?

    public init(caFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil,
                verify: Bool = true, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.verify = verify
        self.serverName = serverName
    }

    /// Reads the files and builds the context; every failure names the file and what is wrong with it.
    func makeContext() throws(AMQPClientError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verify ? .fullVerification : .none
        if let caFile {
            let roots: [NIOSSLCertificate]
            do { roots = try PEMFile.certificates(caFile, role: "CA file") } catch { throw .tlsConfiguration(error.message) }
            tls.trustRoots = .certificates(roots)
        }
        switch (certificateFile, privateKeyFile) {
        case (nil, nil):
            break
        case (let certificateFile?, let privateKeyFile?):
            let chain: [NIOSSLCertificate]
            do { chain = try PEMFile.certificates(certificateFile, role: "certificate file") } catch {
                throw .tlsConfiguration(error.message)
            }
            let key: NIOSSLPrivateKey
            do { key = try PEMFile.privateKey(privateKeyFile) } catch { throw .tlsConfiguration(error.message) }
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        case (nil, _?):
            throw .tlsConfiguration("a private key file needs its certificate file")
        case (_?, nil):
            throw .tlsConfiguration("a certificate file needs its private key file")
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .tlsConfiguration(Self.describe(error))
        }
    }

    /// The SNI name for a connection to `host`: `serverName` or the host, nil for an IP literal (SNI
    /// cannot carry one; NIOSSL then checks the certificate against the peer's address).
    func serverHostname(connectingTo host: String) throws(AMQPClientError) -> String? {
        if let serverName {
            guard !Self.isIPLiteral(serverName) else {
                throw .tlsConfiguration("server name \(serverName) is an IP address; leave it out to verify the address connected to")
            }
            guard (1...255).contains(serverName.utf8.count), !serverName.utf8.contains(0) else {
                throw .tlsConfiguration("server name \"\(serverName)\" is not a valid host name")
            }
            return serverName
        }
        if Self.isIPLiteral(host) || !(1...255).contains(host.utf8.count) || host.utf8.contains(0) { return nil }
        return host
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var text = Substring(host)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        return (try? SocketAddress(ipAddress: String(text), port: 0)) != nil
    }

    /// The TLS-layer reading of a channel error, or nil when it is not one of NIOSSL's.
    static func handshakeError(_ error: any Error) -> AMQPClientError? {
        switch error {
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError, is NIOSSLCloseTimedOutError:
            return .tlsHandshakeFailed(describe(error))
        default:
            return nil
        }
    }

    /// BoringSSL's error stack as its own messages, shared with the TLS listeners.
    static func describe(_ error: any Error) -> String {
        TLSErrorText.describe(error)
    }
}
