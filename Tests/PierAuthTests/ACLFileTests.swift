import XCTest
@testable import PierAuth

final class ACLFileTests: XCTestCase {
    func testParsesSectionsAccessAndPatterns() throws {
        let acl = try ACLFile(parsing: """
            # anonymous clients
            topic read $SYS/#
            topic public/#

            user alice
            topic readwrite alice/#
            topic deny alice/secret
            topic write  spaced/ topic
            user bob
            topic read bob/in
            user alice
            topic read shared/#
            pattern write devices/%c/status
            pattern %u/inbox
            """)
        XCTAssertEqual(acl.anonymousRules, [
            .init(access: .read, filter: "$SYS/#"),
            .init(access: .readWrite, filter: "public/#"),
        ])
        XCTAssertEqual(acl.userRules["alice"], [
            .init(access: .readWrite, filter: "alice/#"),
            .init(access: .deny, filter: "alice/secret"),
            .init(access: .write, filter: "spaced/ topic"),
            .init(access: .read, filter: "shared/#"),
        ])
        XCTAssertEqual(acl.userRules["bob"], [.init(access: .read, filter: "bob/in")])
        XCTAssertEqual(acl.patterns, [
            .init(access: .write, filter: "devices/%c/status"),
            .init(access: .readWrite, filter: "%u/inbox"),
        ])
    }

    func testSingleWordIsTheTopicEvenWhenItLooksLikeAnAccessType() throws {
        // mosquitto reads `topic read` as the topic "read" with readwrite access.
        let acl = try ACLFile(parsing: "topic read\n")
        XCTAssertEqual(acl.anonymousRules, [.init(access: .readWrite, filter: "read")])
    }

    func testCRLFAndTrailingBlanks() throws {
        let acl = try ACLFile(parsing: "user alice \r\ntopic read a/# \r\n")
        XCTAssertEqual(acl.userRules["alice"], [.init(access: .read, filter: "a/#")])
    }

    func testErrorsNameTheirLineNumber() {
        let cases: [(String, Int)] = [
            ("topic read a\ntopic\n", 2),
            ("# c\n\ntopic sometimes a/b\n", 3),
            ("user alice\ntopic read a/#/b\n", 2),
            ("topic read a\nuser\n", 2),
            ("topic read a\nclient x\n", 2),
            ("pattern read %c/a+\n", 1),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try ACLFile(parsing: text), text) { error in
                XCTAssertEqual((error as? ACLFile.ParseError)?.line, line, text)
                XCTAssertTrue("\(error)".contains("line \(line)"), "\(error)")
            }
        }
    }

    func testAdminLinesGrantTheirUserSection() throws {
        let acl = try ACLFile(parsing: """
            topic read public/#
            user alice
            topic readwrite alice/#
            admin
            user bob
            topic read bob/#
            user carol
            admin
            """)
        XCTAssertEqual(acl.admins, ["alice", "carol"])
        XCTAssertEqual(acl.userRules["alice"], [.init(access: .readWrite, filter: "alice/#")], "admin is not a topic rule")
        XCTAssertEqual(acl.userRules["carol"], [])
    }

    func testAMosquittoFileGrantsNoAdmin() throws {
        let acl = try ACLFile(parsing: "user alice\ntopic readwrite #\npattern write devices/%c/status\n")
        XCTAssertEqual(acl.admins, [])
    }

    func testAdminOutsideAUserSectionOrWithAnArgumentIsRefused() {
        XCTAssertThrowsError(try ACLFile(parsing: "admin\n")) { error in
            XCTAssertEqual(error as? ACLFile.ParseError, .init(line: 1, reason: "admin outside a user section"))
        }
        XCTAssertThrowsError(try ACLFile(parsing: "user alice\nadmin yes\n")) { error in
            XCTAssertEqual(error as? ACLFile.ParseError, .init(line: 2, reason: "admin takes no argument"))
        }
    }
}
