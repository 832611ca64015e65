import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PEM file that could not be used; `message` names the file and what is wrong with it.
public struct PEMFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// PEM loading shared by the TLS listeners and the AMQP client, with the same error wording.
public enum PEMFile {
    /// The certificates in `path`, in order; `role` names the file in errors ("CA file", "certificate file").
    public static func certificates(_ path: String, role: String) throws(PEMFileError) -> [NIOSSLCertificate] {
        try checkReadable(path, role: role)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw PEMFileError("cannot read \(role) \(path): \(TLSErrorText.describe(error))")
        }
        guard !certificates.isEmpty else { throw PEMFileError("\(role) \(path) holds no PEM certificate") }
        return certificates
    }

    /// NIOSSL reports a missing file as `failedToLoadCertificate`; say what the system says instead.
    private static func checkReadable(_ path: String, role: String) throws(PEMFileError) {
        if access(path, R_OK) != 0 {
            throw PEMFileError("cannot read \(role) \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The private key in `path`.
    public static func privateKey(_ path: String) throws(PEMFileError) -> NIOSSLPrivateKey {
        try checkReadable(path, role: "private key file")
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw PEMFileError("cannot read private key file \(path): \(TLSErrorText.describe(error))")
        }
    }
}

/// Operator-readable text for NIOSSL errors.
public enum TLSErrorText {
    /// BoringSSL's error stack as its own messages (e.g. `...:CERTIFICATE_VERIFY_FAILED`) rather
    /// than nested enum dumps, without the BoringSSL source locations.
    public static func describe(_ error: any Error) -> String {
        func stack(_ error: BoringSSLError) -> String {
            switch error {
            case .sslError(let errors), .unknownError(let errors):
                guard !errors.isEmpty else { return "\(error)" }
                return errors.map { entry in
                    let text = Substring(entry.description)
                    guard let at = text.indices.last(where: { text[$0...].hasPrefix(" at /") }) else { return String(text) }
                    return String(text[..<at])
                }.joined(separator: "; ")
            default:
                return "\(error)"
            }
        }
        switch error {
        case let error as NIOSSLError:
            switch error {
            case .handshakeFailed(let inner): return stack(inner)
            case .shutdownFailed(let inner): return "shutdown failed: \(stack(inner))"
            default: return "\(error)"
            }
        case let error as BoringSSLError:
            return stack(error)
        default:
            return "\(error)"
        }
    }
}
