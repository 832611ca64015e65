import Foundation
import XCTest
@testable import PierAuth

final class PasswordFileTests: XCTestCase {
    static let alice = "alice:" + PasswordHashTests.mosquittoPBKDF2
    static let carol = "carol:" + PasswordHashTests.mosquittoSHA512

    func testParsesEntriesCommentsAndBlankLines() throws {
        let text = "# users\n\n\(Self.alice)\n  # indented comment\n\(Self.carol)\n"
        let file = try PasswordFile(parsing: text)
        XCTAssertEqual(file.entries.map(\.username), ["alice", "carol"])
        XCTAssertTrue(file.verify(username: "alice", password: Array("secret".utf8)))
        XCTAssertTrue(file.verify(username: "carol", password: Array("legacy".utf8)))
        XCTAssertEqual(file.rendered(), text)
    }

    func testWrongPasswordAndUnknownUser() throws {
        let file = try PasswordFile(parsing: Self.alice)
        XCTAssertFalse(file.verify(username: "alice", password: Array("wrong".utf8)))
        XCTAssertFalse(file.verify(username: "mallory", password: Array("secret".utf8)))
        XCTAssertNil(file.entry(for: "mallory"))
    }

    func testAcceptsCRLFAndSurroundingBlanks() throws {
        let file = try PasswordFile(parsing: "  alice : \(PasswordHashTests.mosquittoPBKDF2)  \r\n\(Self.carol)\r\n")
        XCTAssertEqual(file.entries.map(\.username), ["alice", "carol"])
        XCTAssertTrue(file.verify(username: "alice", password: Array("secret".utf8)))
    }

    func testMalformedLinesNameTheirLineNumber() {
        let cases: [(String, Int)] = [
            ("# header\n\(Self.alice)\nbob\n", 3),
            ("\(Self.alice)\n\nbob:\n", 3),
            ("bob:$7$101$bad$bad\n", 1),
            (":\(PasswordHashTests.mosquittoPBKDF2)\n", 1),
            ("\(Self.alice)\n\(Self.carol)\n\(Self.alice)\n", 3),
            ("bob:plaintext-password\n", 1),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try PasswordFile(parsing: text), text) { error in
                let parseError = error as? PasswordFile.ParseError
                XCTAssertEqual(parseError?.line, line, text)
                XCTAssertTrue("\(error)".contains("line \(line)"), "\(error)")
            }
        }
    }

    func testEditorKeepsOtherLinesAndOrder() throws {
        let text = "# managed by hand\n\(Self.alice)\n\n\(Self.carol)\n"
        var file = try PasswordFile(parsing: text)

        let bobHash = try PasswordHash.generate(password: "bobpw")
        try file.setHash(bobHash, for: "bob")
        let newAlice = try PasswordHash.generate(password: "newsecret")
        try file.setHash(newAlice, for: "alice")

        let reparsed = try PasswordFile(parsing: file.rendered())
        XCTAssertEqual(reparsed.entries.map(\.username), ["alice", "carol", "bob"])
        XCTAssertTrue(reparsed.verify(username: "alice", password: Array("newsecret".utf8)))
        XCTAssertFalse(reparsed.verify(username: "alice", password: Array("secret".utf8)))
        XCTAssertTrue(reparsed.verify(username: "bob", password: Array("bobpw".utf8)))
        XCTAssertTrue(reparsed.verify(username: "carol", password: Array("legacy".utf8)))
        XCTAssertTrue(file.rendered().hasPrefix("# managed by hand\nalice:$7$101$"))
        XCTAssertTrue(file.rendered().contains("\n\n\(Self.carol)\nbob:$7$"))

        XCTAssertTrue(file.removeUser("carol"))
        XCTAssertFalse(file.removeUser("carol"))
        let afterDelete = try PasswordFile(parsing: file.rendered())
        XCTAssertEqual(afterDelete.entries.map(\.username), ["alice", "bob"])
        XCTAssertTrue(afterDelete.rendered().hasPrefix("# managed by hand\n"))
    }

    func testEditorRejectsUnusableUsernames() throws {
        var file = PasswordFile()
        let hash = try PasswordHash.generate(password: "x")
        for name in ["", "a:b", " padded", "line\nbreak"] {
            XCTAssertThrowsError(try file.setHash(hash, for: name), name)
        }
        XCTAssertTrue(file.entries.isEmpty)
    }

    func testWriteIsReadableAndPrivate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pier-pw-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var file = PasswordFile()
        try file.setHash(PasswordHash.generate(password: "pw"), for: "u")
        try file.write(to: path)
        try file.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try PasswordFile.load(path: path), file)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix((path as NSString).lastPathComponent + ".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testLoadReportsMissingFile() {
        XCTAssertThrowsError(try PasswordFile.load(path: "/nonexistent/pier/passwd")) { error in
            XCTAssertEqual((error as? FileError)?.errno, ENOENT)
        }
    }
}
