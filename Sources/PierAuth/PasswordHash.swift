import COpenSSL

/// The hash half of a mosquitto password file line (`$7$…` or legacy `$6$…`).
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    public enum Algorithm: Sendable, Hashable {
        /// `$6$salt$hash`: SHA-512 over password then salt, as mosquitto 1.6 and earlier wrote.
        case sha512
        /// `$7$iterations$salt$hash`: PBKDF2-HMAC-SHA512, mosquitto 2.0's default.
        case pbkdf2SHA512(iterations: Int)
    }

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownAlgorithm
        case malformed
        case invalidIterations
        case invalidSalt
        case invalidHash

        public var description: String {
            switch self {
            case .unknownAlgorithm: return "unknown password hash type (expected $6$ or $7$)"
            case .malformed: return "malformed password hash"
            case .invalidIterations: return "invalid PBKDF2 iteration count"
            case .invalidSalt: return "salt is not 12 bytes of base64"
            case .invalidHash: return "hash is not 64 bytes of base64"
            }
        }
    }

    public enum GenerationError: Error, Sendable, Equatable {
        case randomUnavailable
        case invalidIterations
    }

    public static let defaultIterations = 101
    /// mosquitto refuses entries whose salt or hash have any other length, so we do too.
    public static let saltLength = 12
    public static let hashLength = 64

    public let algorithm: Algorithm
    public let salt: [UInt8]
    public let hash: [UInt8]

    public init(algorithm: Algorithm, salt: [UInt8], hash: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.hash = hash
    }

    /// Parses `$7$<iterations>$<b64 salt>$<b64 hash>` or `$6$<b64 salt>$<b64 hash>`.
    public init(parsing text: some StringProtocol) throws {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].isEmpty else { throw ParseError.malformed }
        let saltText: Substring
        let hashText: Substring
        switch parts[1] {
        case "7":
            guard parts.count == 5 else { throw ParseError.malformed }
            guard let iterations = Int(parts[2]), iterations >= 1, iterations <= Int(Int32.max) else {
                throw ParseError.invalidIterations
            }
            algorithm = .pbkdf2SHA512(iterations: iterations)
            saltText = Substring(parts[3])
            hashText = Substring(parts[4])
        case "6":
            guard parts.count == 4 else { throw ParseError.malformed }
            algorithm = .sha512
            saltText = Substring(parts[2])
            hashText = Substring(parts[3])
        default:
            throw ParseError.unknownAlgorithm
        }
        guard let salt = Base64.decode(saltText), salt.count == Self.saltLength else { throw ParseError.invalidSalt }
        guard let hash = Base64.decode(hashText), hash.count == Self.hashLength else { throw ParseError.invalidHash }
        self.salt = salt
        self.hash = hash
    }

    /// A fresh `$7$` hash with a random salt.
    public static func generate(password: [UInt8], iterations: Int = defaultIterations) throws -> PasswordHash {
        guard iterations >= 1, iterations <= Int(Int32.max) else { throw GenerationError.invalidIterations }
        var salt = [UInt8](repeating: 0, count: saltLength)
        let ok = salt.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard ok == 1 else { throw GenerationError.randomUnavailable }
        let algorithm = Algorithm.pbkdf2SHA512(iterations: iterations)
        return PasswordHash(algorithm: algorithm, salt: salt, hash: digest(password: password, salt: salt, algorithm: algorithm))
    }

    public static func generate(password: String, iterations: Int = defaultIterations) throws -> PasswordHash {
        try generate(password: Array(password.utf8), iterations: iterations)
    }

    /// Constant-time with respect to the stored hash, so timing does not reveal how much of a guess was right.
    public func verify(_ password: [UInt8]) -> Bool {
        let candidate = Self.digest(password: password, salt: salt, algorithm: algorithm)
        guard candidate.count == hash.count, !hash.isEmpty else { return false }
        return candidate.withUnsafeBytes { a in
            hash.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    public func verify(_ password: String) -> Bool {
        verify(Array(password.utf8))
    }

    /// The text after `username:` in a password file.
    public var encoded: String {
        switch algorithm {
        case .sha512:
            return "$6$\(Base64.encode(salt))$\(Base64.encode(hash))"
        case .pbkdf2SHA512(let iterations):
            return "$7$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(hash))"
        }
    }

    public var description: String { encoded }

    static func digest(password: [UInt8], salt: [UInt8], algorithm: Algorithm) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: hashLength)
        let ok: Int32
        switch algorithm {
        case .pbkdf2SHA512(let iterations):
            ok = password.withUnsafeBufferPointer { pw in
                salt.withUnsafeBufferPointer { s in
                    out.withUnsafeMutableBufferPointer { o in
                        pw.withMemoryRebound(to: CChar.self) { pwc in
                            PKCS5_PBKDF2_HMAC(pwc.baseAddress, Int32(pwc.count), s.baseAddress, Int32(s.count),
                                              Int32(iterations), EVP_sha512(), Int32(o.count), o.baseAddress)
                        }
                    }
                }
            }
        case .sha512:
            let input = password + salt
            var length: UInt32 = 0
            ok = input.withUnsafeBytes { i in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Digest(i.baseAddress, i.count, o.baseAddress, &length, EVP_sha512(), nil)
                }
            }
            if ok == 1 && Int(length) != hashLength { return [] }
        }
        // An empty digest never verifies, so an OpenSSL failure fails closed.
        return ok == 1 ? out : []
    }
}
