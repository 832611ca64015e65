import PierAuth
import PierCore
import XCTest

@testable import PierAdmin

final class AdminAccessTests: XCTestCase {
    private var passwords: PasswordFileAuthenticator {
        var file = PasswordFile()
        try! file.setHash(try! PasswordHash.generate(password: "secret", iterations: 2), for: "alice")
        try! file.setHash(try! PasswordHash.generate(password: "hunter2", iterations: 2), for: "bob")
        return PasswordFileAuthenticator(file: file)
    }

    private func basic(_ credentials: String) -> String {
        "Basic " + Base64Probe.encode(credentials)
    }

    private func access(anonymous: Bool = false, passwords: (any Authenticator)? = nil) -> AdminAccess {
        AdminAccess(authenticator: passwords, allowAnonymous: anonymous, isAdmin: { $0 == "alice" })
    }

    func testWithoutCredentialsOnlyAnonymousAccessLetsIn() {
        XCTAssertEqual(access().decide(authorization: nil), .unauthorized)
        XCTAssertEqual(access(anonymous: true).decide(authorization: nil), .allowed(user: nil))
    }

    func testAnAdminWithTheRightPasswordIsAllowed() {
        XCTAssertEqual(access(passwords: passwords).decide(authorization: basic("alice:secret")), .allowed(user: "alice"))
        XCTAssertEqual(access(passwords: passwords).decide(authorization: "basic " + Base64Probe.encode("alice:secret")),
                       .allowed(user: "alice"), "the scheme is case-insensitive")
    }

    func testAValidUserWithoutTheAdminGrantIsForbidden() {
        XCTAssertEqual(access(passwords: passwords).decide(authorization: basic("bob:hunter2")), .forbidden)
    }

    func testWrongOrMalformedCredentialsAreUnauthorizedEvenWithAnonymousAccess() {
        let a = access(anonymous: true, passwords: passwords)
        XCTAssertEqual(a.decide(authorization: basic("alice:wrong")), .unauthorized)
        XCTAssertEqual(a.decide(authorization: basic("nobody:secret")), .unauthorized)
        XCTAssertEqual(a.decide(authorization: basic("no-colon")), .unauthorized)
        XCTAssertEqual(a.decide(authorization: basic(":secret")), .unauthorized)
        XCTAssertEqual(a.decide(authorization: "Basic !!!not-base64"), .unauthorized)
        XCTAssertEqual(a.decide(authorization: "Bearer abc"), .unauthorized)
    }

    func testWithoutAPasswordFileNobodyLogsIn() {
        XCTAssertEqual(access().decide(authorization: basic("alice:secret")), .unauthorized)
    }

    func testAPasswordMayContainAColon() {
        XCTAssertEqual(AdminAccess.basicCredentials(basic("alice:a:b"))?.1, "a:b")
    }
}

/// The client side of Basic auth, written out so the test does not use the code it checks.
private enum Base64Probe {
    static func encode(_ text: String) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(text.utf8)
        var out = ""
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for k in 0..<4 {
                out.append(k <= n ? table[Int((chunk >> (18 - 6 * UInt32(k))) & 63)] : "=")
            }
            i += 3
        }
        return out
    }
}
