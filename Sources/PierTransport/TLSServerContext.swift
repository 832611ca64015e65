import NIOSSL

/// The files of a TLS listener, turned once at startup into the context every accepted connection shares.
public struct TLSServerFiles: Sendable, Equatable {
    /// PEM certificate chain presented to clients, leaf first.
    public var certificateFile: String
    /// PEM private key of the leaf certificate.
    public var privateKeyFile: String
    /// PEM trust roots for client certificates; nil means clients are never asked for one.
    public var caFile: String?
    /// Refuse clients without a certificate signed by `caFile`. Without it, a certificate a client
    /// presents anyway must still verify against `caFile`.
    public var requireClientCertificate: Bool

    public init(certificateFile: String, privateKeyFile: String, caFile: String? = nil, requireClientCertificate: Bool = false) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.caFile = caFile
        self.requireClientCertificate = requireClientCertificate
    }

    /// Which file (or the combination) a `TLSServerFileError` is about, so callers can point at their config key.
    public enum Part: Sendable, Equatable {
        case certificateFile, privateKeyFile, caFile, combination
    }

    /// Reads the files and builds the server context.
    public func makeContext() throws(TLSServerFileError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do { chain = try PEMFile.certificates(certificateFile, role: "certificate file") } catch {
            throw TLSServerFileError(part: .certificateFile, message: error.message)
        }
        let key: NIOSSLPrivateKey
        do { key = try PEMFile.privateKey(privateKeyFile) } catch {
            throw TLSServerFileError(part: .privateKeyFile, message: error.message)
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let caFile {
            do { tls.trustRoots = .certificates(try PEMFile.certificates(caFile, role: "CA file")) } catch {
                throw TLSServerFileError(part: .caFile, message: error.message)
            }
            tls.sendCANameList = true
            tls.certificateVerification = requireClientCertificate ? .noHostnameVerification : .optionalVerification
        } else if requireClientCertificate {
            throw TLSServerFileError(part: .caFile, message: "a required client certificate needs a CA file to check it against")
        } else {
            tls.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSServerFileError(part: .combination, message: "cannot use the certificate with the private key "
                                     + "(does the key belong to the certificate?): \(TLSErrorText.describe(error))")
        }
    }
}

/// Why a TLS listener's files could not be used.
public struct TLSServerFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var part: TLSServerFiles.Part
    public var message: String
    public var description: String { message }
}
