import Foundation
import PierCore
import XCTest
@testable import PierAuth

final class PasswordFileAuthenticatorTests: XCTestCase {
    let identity = ClientIdentity(clientID: "c1", username: "alice")

    func makeAuthenticator() throws -> PasswordFileAuthenticator {
        PasswordFileAuthenticator(file: try PasswordFile(parsing: PasswordFileTests.alice + "\n" + PasswordFileTests.carol + "\n"))
    }

    func testAnonymousFollowsAllowAnonymous() throws {
        let auth = try makeAuthenticator()
        let anon = ClientIdentity(clientID: "c1", username: nil)
        XCTAssertEqual(auth.authenticate(username: nil, password: nil, identity: anon, allowAnonymous: true), .accepted)
        XCTAssertEqual(auth.authenticate(username: nil, password: nil, identity: anon, allowAnonymous: false), .notAuthorized)
    }

    func testCredentials() throws {
        let auth = try makeAuthenticator()
        for allowAnonymous in [true, false] {
            XCTAssertEqual(auth.authenticate(username: "alice", password: Array("secret".utf8), identity: identity, allowAnonymous: allowAnonymous), .accepted)
            XCTAssertEqual(auth.authenticate(username: "carol", password: Array("legacy".utf8), identity: identity, allowAnonymous: allowAnonymous), .accepted)
            XCTAssertEqual(auth.authenticate(username: "alice", password: Array("wrong".utf8), identity: identity, allowAnonymous: allowAnonymous), .badCredentials)
            XCTAssertEqual(auth.authenticate(username: "alice", password: nil, identity: identity, allowAnonymous: allowAnonymous), .badCredentials)
            XCTAssertEqual(auth.authenticate(username: "mallory", password: Array("secret".utf8), identity: identity, allowAnonymous: allowAnonymous), .badCredentials)
        }
    }

    func testReloadPicksUpChangesAndKeepsOldOnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pier-auth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (PasswordFileTests.alice + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let auth = try PasswordFileAuthenticator(path: path)
        XCTAssertEqual(auth.userCount, 1)
        XCTAssertEqual(auth.authenticate(username: "carol", password: Array("legacy".utf8), identity: identity, allowAnonymous: false), .badCredentials)

        try (PasswordFileTests.alice + "\n" + PasswordFileTests.carol + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try auth.reload()
        XCTAssertEqual(auth.authenticate(username: "carol", password: Array("legacy".utf8), identity: identity, allowAnonymous: false), .accepted)

        try "carol\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try auth.reload()) { error in
            XCTAssertEqual((error as? PasswordFile.ParseError)?.line, 1)
        }
        XCTAssertEqual(auth.authenticate(username: "carol", password: Array("legacy".utf8), identity: identity, allowAnonymous: false), .accepted)
    }

    func testConcurrentAuthenticationDuringReload() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pier-auth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (PasswordFileTests.alice + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let auth = try PasswordFileAuthenticator(path: path)
        let identity = self.identity
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            if i % 8 == 0 {
                try? auth.reload()
            } else {
                XCTAssertEqual(auth.authenticate(username: "alice", password: Array("secret".utf8), identity: identity, allowAnonymous: false), .accepted)
            }
        }
    }
}
