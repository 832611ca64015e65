import Foundation
import XCTest
@testable import PierAuth

final class PasswordHashTests: XCTestCase {
    // Written by mosquitto 2.0.11: `mosquitto_passwd -c -b FILE alice secret`.
    static let mosquittoPBKDF2 = "$7$101$Mm29kRcfpHkmbPVk$Lpt/cnViRsDSfEF0ZZyBxLyKfkG9f/31x9tZyAY9/Pkq+FqV3rQ0J4hCG4dKyyNrlTh6Lqc4esNQsACr3B83vA=="
    // `mosquitto_passwd -H sha512 -b FILE carol legacy`.
    static let mosquittoSHA512 = "$6$3zp6b3uNTb3cxVnv$BbgkdrPL9IkqkFvsiXzkebgoZF7KG0V5OSFliwRsyWE5My9GCiPfKn9JevgKp2JK7gnKYid9Vb9+TvB2E3Nd3Q=="
    // `mosquitto_passwd -b FILE dave ""`.
    static let mosquittoEmptyPassword = "$7$101$6Gw3p7h4cX71dH7d$cq/svRGh/CrlplAA4gbsbaU4xOX9wWS0L1E5IIQaQ5o3uYZmsW1slbwV0jN2RQ8gYfbmuDYYgLSnZINeBZ5dDA=="

    func testVerifiesMosquittoPBKDF2Hash() throws {
        let hash = try PasswordHash(parsing: Self.mosquittoPBKDF2)
        XCTAssertEqual(hash.algorithm, .pbkdf2SHA512(iterations: 101))
        XCTAssertEqual(hash.salt.count, 12)
        XCTAssertEqual(hash.hash.count, 64)
        XCTAssertTrue(hash.verify("secret"))
        XCTAssertFalse(hash.verify("Secret"))
        XCTAssertFalse(hash.verify("secret "))
        XCTAssertFalse(hash.verify(""))
    }

    func testVerifiesLegacySHA512Hash() throws {
        let hash = try PasswordHash(parsing: Self.mosquittoSHA512)
        XCTAssertEqual(hash.algorithm, .sha512)
        XCTAssertTrue(hash.verify("legacy"))
        XCTAssertFalse(hash.verify("legacy2"))
    }

    func testVerifiesEmptyPassword() throws {
        let hash = try PasswordHash(parsing: Self.mosquittoEmptyPassword)
        XCTAssertTrue(hash.verify(""))
        XCTAssertFalse(hash.verify("x"))
    }

    func testEncodingRoundTripsMosquittoText() throws {
        XCTAssertEqual(try PasswordHash(parsing: Self.mosquittoPBKDF2).encoded, Self.mosquittoPBKDF2)
        XCTAssertEqual(try PasswordHash(parsing: Self.mosquittoSHA512).encoded, Self.mosquittoSHA512)
    }

    func testGeneratedHashVerifiesAndUsesFreshSalt() throws {
        let a = try PasswordHash.generate(password: "pw")
        let b = try PasswordHash.generate(password: "pw")
        XCTAssertEqual(a.algorithm, .pbkdf2SHA512(iterations: 101))
        XCTAssertNotEqual(a.salt, b.salt)
        XCTAssertTrue(a.verify("pw"))
        XCTAssertFalse(a.verify("pW"))
        XCTAssertTrue(a.encoded.hasPrefix("$7$101$"))
        XCTAssertEqual(try PasswordHash(parsing: a.encoded), a)
    }

    func testCustomIterations() throws {
        let hash = try PasswordHash.generate(password: "pw", iterations: 1000)
        XCTAssertTrue(hash.encoded.hasPrefix("$7$1000$"))
        XCTAssertTrue(try PasswordHash(parsing: hash.encoded).verify("pw"))
        XCTAssertThrowsError(try PasswordHash.generate(password: "pw", iterations: 0))
    }

    func testRejectsMalformedHashes() {
        let cases: [(String, PasswordHash.ParseError)] = [
            ("plaintext", .malformed),
            ("$5$abc$def", .unknownAlgorithm),
            ("$7$0$Mm29kRcfpHkmbPVk$AAAA", .invalidIterations),
            ("$7$x$Mm29kRcfpHkmbPVk$AAAA", .invalidIterations),
            ("$7$101$Mm29kRcfpHkm$" + String(Self.mosquittoPBKDF2.suffix(88)), .invalidSalt),
            ("$7$101$Mm29kRcfpHkmbPV!$" + String(Self.mosquittoPBKDF2.suffix(88)), .invalidSalt),
            ("$7$101$Mm29kRcfpHkmbPVk$AAAA", .invalidHash),
            ("$7$101$Mm29kRcfpHkmbPVk", .malformed),
            ("$6$3zp6b3uNTb3cxVnv", .malformed),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try PasswordHash(parsing: text), text) { error in
                XCTAssertEqual(error as? PasswordHash.ParseError, expected, text)
            }
        }
    }

    func testBase64MatchesKnownVectors() {
        let vectors: [(String, String)] = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
        }
        XCTAssertEqual(Base64.decode("Zg"), Array("f".utf8))
        XCTAssertNil(Base64.decode("Zh=="), "non-zero trailing bits")
        XCTAssertNil(Base64.decode("Z==="))
        XCTAssertNil(Base64.decode("Zm9v!"))
        let random = (0..<200).map { _ in UInt8.random(in: 0...255) }
        XCTAssertEqual(Base64.decode(Base64.encode(random)), random)
    }

    /// `make test` installs mosquitto, so a missing mosquitto_passwd is a broken environment, not a skip.
    func testAcceptsWhatInstalledMosquittoPasswdWrites() throws {
        let tool = try XCTUnwrap(Self.findOnPath("mosquitto_passwd"), "mosquitto_passwd must be on PATH for this test")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pier-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("passwd").path

        try Self.run(tool, ["-c", "-b", path, "alice", "correct horse"])
        try Self.run(tool, ["-b", path, "bob", "p:ss$word"])
        try Self.run(tool, ["-H", "sha512", "-b", path, "carol", "legacy"])

        let file = try PasswordFile.load(path: path)
        XCTAssertEqual(file.entries.map(\.username), ["alice", "bob", "carol"])
        XCTAssertTrue(file.verify(username: "alice", password: Array("correct horse".utf8)))
        XCTAssertFalse(file.verify(username: "alice", password: Array("correct horsE".utf8)))
        XCTAssertTrue(file.verify(username: "bob", password: Array("p:ss$word".utf8)))
        XCTAssertFalse(file.verify(username: "bob", password: Array("correct horse".utf8)))
        XCTAssertTrue(file.verify(username: "carol", password: Array("legacy".utf8)))
        XCTAssertEqual(file.entry(for: "carol")?.hash.algorithm, .sha512)
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) \(arguments)")
    }
}
