extension PierConfig {
    /// The `tls` mapping of a `transport: tls` listener. Only paths are checked here; the files are
    /// read once at startup, and a missing or unreadable one stops the broker naming this key.
    public struct ListenerTLS: Codable, Equatable, Sendable {
        /// PEM certificate chain the broker presents, leaf first.
        public var certFile: String
        /// PEM private key of the leaf certificate.
        public var keyFile: String
        /// PEM trust roots for client certificates. Without `require_client_cert`, clients may still
        /// present a certificate, and it must then verify against these roots.
        public var caFile: String?
        /// Refuse clients that present no certificate signed by `ca_file` (mosquitto's `require_certificate`).
        public var requireClientCert: Bool

        public init(certFile: String, keyFile: String, caFile: String? = nil, requireClientCert: Bool = false) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.caFile = caFile
            self.requireClientCert = requireClientCert
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case certFile = "cert_file"
            case keyFile = "key_file"
            case caFile = "ca_file"
            case requireClientCert = "require_client_cert"
        }

        public init(from decoder: any Decoder) throws {
            let map = try ConfigMapping<CodingKeys>(decoder)
            guard let certFile = try map.string(.certFile) else { throw map.fail(.certFile, "required") }
            guard let keyFile = try map.string(.keyFile) else { throw map.fail(.keyFile, "required") }
            let caFile = try map.string(.caFile)
            let requireClientCert = try map.bool(.requireClientCert, default: false)
            if requireClientCert && caFile == nil {
                throw map.fail(.requireClientCert, "needs ca_file, the roots client certificates are checked against")
            }
            self.init(certFile: certFile, keyFile: keyFile, caFile: caFile, requireClientCert: requireClientCert)
        }
    }
}
