import Foundation
import PierCore
import XCTest
@testable import PierAuth

final class ACLAuthorizerTests: XCTestCase {
    let anon = ClientIdentity(clientID: "anon-1", username: nil)
    let alice = ClientIdentity(clientID: "dev-a", username: "alice")
    let bob = ClientIdentity(clientID: "dev-b", username: "bob")
    let stranger = ClientIdentity(clientID: "dev-s", username: "stranger")

    func authorizer(_ text: String) throws -> ACLAuthorizer {
        ACLAuthorizer(file: try ACLFile(parsing: text))
    }

    func testUserSectionsAndAnonymousSection() throws {
        let acl = try authorizer("""
            topic read public/#
            user alice
            topic alice/#
            user bob
            topic read bob/in
            """)
        XCTAssertTrue(acl.canRead(anon, topic: "public/news"))
        XCTAssertFalse(acl.canPublish(anon, topic: "public/news"))
        XCTAssertFalse(acl.canRead(anon, topic: "alice/x"))

        XCTAssertTrue(acl.canRead(alice, topic: "alice/x"))
        XCTAssertTrue(acl.canPublish(alice, topic: "alice/x/y"))
        XCTAssertTrue(acl.canPublish(alice, topic: "alice"))
        // Named users never inherit the anonymous section.
        XCTAssertFalse(acl.canRead(alice, topic: "public/news"))
        XCTAssertFalse(acl.canRead(alice, topic: "bob/in"))

        XCTAssertTrue(acl.canRead(bob, topic: "bob/in"))
        XCTAssertFalse(acl.canPublish(bob, topic: "bob/in"))

        XCTAssertFalse(acl.canRead(stranger, topic: "public/news"))
        XCTAssertFalse(acl.canPublish(stranger, topic: "anything"))
    }

    func testTheAdminConsolesTailReadsEverythingOnlyForAnAdmin() throws {
        let acl = try authorizer("""
            user alice
            admin
            user bob
            topic read bob/#
            """)
        let tail = { (user: String) in ClientIdentity(clientID: "$admin/tail/1", username: user, listener: ClientIdentity.adminListener) }
        XCTAssertTrue(acl.canRead(tail("alice"), topic: "any/topic"))
        XCTAssertFalse(acl.canPublish(tail("alice"), topic: "any/topic"), "only reading is trusted")
        XCTAssertFalse(acl.canRead(tail("bob"), topic: "any/topic"), "no admin grant, no trust")
        XCTAssertFalse(acl.canRead(ClientIdentity(clientID: "$admin/tail/1", username: "alice"), topic: "any/topic"),
                       "the client id alone is nothing: a client may pick it")
    }

    func testReadVersusWrite() throws {
        let acl = try authorizer("user alice\ntopic read r/#\ntopic write w/#\ntopic readwrite rw/#\n")
        XCTAssertTrue(acl.canRead(alice, topic: "r/1"))
        XCTAssertFalse(acl.canPublish(alice, topic: "r/1"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "r/#"))
        XCTAssertFalse(acl.canRead(alice, topic: "w/1"))
        XCTAssertTrue(acl.canPublish(alice, topic: "w/1"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "w/#"))
        XCTAssertTrue(acl.canRead(alice, topic: "rw/1"))
        XCTAssertTrue(acl.canPublish(alice, topic: "rw/1"))
    }

    func testDenyTakesPrecedenceRegardlessOfOrder() throws {
        let acl = try authorizer("""
            user alice
            topic readwrite home/#
            topic deny home/secret/#
            pattern readwrite devices/%c/#
            pattern deny devices/%c/locked
            """)
        XCTAssertTrue(acl.canPublish(alice, topic: "home/lights"))
        XCTAssertFalse(acl.canPublish(alice, topic: "home/secret"))
        XCTAssertFalse(acl.canRead(alice, topic: "home/secret/key"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "home/#"), "the wide subscription is allowed; delivery is filtered by canRead")
        XCTAssertFalse(acl.canSubscribe(alice, filter: "home/secret/+"))

        XCTAssertTrue(acl.canPublish(alice, topic: "devices/dev-a/state"))
        XCTAssertFalse(acl.canPublish(alice, topic: "devices/dev-a/locked"))
    }

    func testPatternsSubstituteClientIDAndUsername() throws {
        let acl = try authorizer("""
            pattern write devices/%c/status
            pattern read users/%u/#
            """)
        XCTAssertTrue(acl.canPublish(alice, topic: "devices/dev-a/status"))
        XCTAssertFalse(acl.canPublish(alice, topic: "devices/dev-b/status"))
        XCTAssertFalse(acl.canRead(alice, topic: "devices/dev-a/status"))
        XCTAssertTrue(acl.canRead(alice, topic: "users/alice/mail"))
        XCTAssertFalse(acl.canRead(alice, topic: "users/bob/mail"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "users/alice/+"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "users/+/mail"))

        // Patterns apply to anonymous clients too, except those needing %u.
        XCTAssertTrue(acl.canPublish(anon, topic: "devices/anon-1/status"))
        XCTAssertFalse(acl.canRead(anon, topic: "users/%u/x"))
    }

    func testWildcardIdentitiesAreRefusedWhenPatternsExist() throws {
        let acl = try authorizer("""
            user alice
            topic read own/#
            pattern readwrite devices/%c/#
            pattern readwrite users/%u/#
            """)
        let hashID = ClientIdentity(clientID: "#", username: "alice")
        XCTAssertFalse(acl.canRead(hashID, topic: "devices/dev-b/x"))
        XCTAssertFalse(acl.canRead(hashID, topic: "devices/#/x"))
        let plusUser = ClientIdentity(clientID: "ok", username: "+")
        XCTAssertFalse(acl.canPublish(plusUser, topic: "users/bob/x"))
        XCTAssertFalse(acl.canPublish(ClientIdentity(clientID: "a+b", username: nil), topic: "devices/a+b/x"))
        // The user's own topic rules are checked before the identity test, as in mosquitto.
        XCTAssertTrue(acl.canRead(hashID, topic: "own/x"))
    }

    func testSubscribeFilterCoverage() throws {
        let acl = try authorizer("user alice\ntopic read a/#\ntopic read x/+/z\ntopic read exact/topic\n")
        XCTAssertTrue(acl.canSubscribe(alice, filter: "a/#"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "a"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "a/b"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "a/b/+"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "a/+/#"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "#"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "+/b"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "b/#"))

        XCTAssertTrue(acl.canSubscribe(alice, filter: "x/y/z"))
        XCTAssertTrue(acl.canSubscribe(alice, filter: "x/+/z"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "x/#"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "x/y/#"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "x/y/+"))

        XCTAssertTrue(acl.canSubscribe(alice, filter: "exact/topic"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "exact/+"))

        XCTAssertTrue(acl.canSubscribe(alice, filter: "$share/g/a/b/+"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "$share/g/#"))
    }

    func testCoverageRelation() {
        let cases: [(String, String, Bool)] = [
            ("#", "#", true), ("#", "a/+/c", true), ("+", "a", true), ("+", "+", true), ("+", "#", false),
            ("+/#", "a", true), ("a/+/#", "a/b", true), ("a/+", "a", false), ("a", "a/#", false),
            ("#", "$SYS/x", false), ("$SYS/#", "$SYS/broker/+", true), ("$SYS/#", "a", false),
            ("a//b", "a//b", true), ("a/+/b", "a//b", true),
        ]
        for (filter, sub, expected) in cases {
            XCTAssertEqual(ACLAuthorizer.covers(filter: filter, subscription: sub), expected, "\(filter) covers \(sub)")
        }
    }

    func testSysTopicsNeedRulesThatNameThem() throws {
        let acl = try authorizer("""
            topic read #
            user admin
            topic read $SYS/#
            topic readwrite #
            """)
        XCTAssertTrue(acl.canRead(anon, topic: "a/b"))
        XCTAssertFalse(acl.canRead(anon, topic: "$SYS/broker/uptime"))
        XCTAssertFalse(acl.canSubscribe(anon, filter: "$SYS/#"))
        XCTAssertTrue(acl.canSubscribe(anon, filter: "#"))

        let admin = ClientIdentity(clientID: "adm", username: "admin")
        XCTAssertTrue(acl.canRead(admin, topic: "$SYS/broker/uptime"))
        XCTAssertTrue(acl.canSubscribe(admin, filter: "$SYS/broker/+"))
        XCTAssertFalse(acl.canPublish(admin, topic: "$SYS/broker/uptime"))
        XCTAssertTrue(acl.canPublish(admin, topic: "a/b"))
    }

    func testEmptyFileRefusesEverything() throws {
        let acl = try authorizer("# nothing\n")
        XCTAssertFalse(acl.canRead(anon, topic: "a"))
        XCTAssertFalse(acl.canPublish(alice, topic: "a"))
        XCTAssertFalse(acl.canSubscribe(alice, filter: "a"))
    }

    func testReloadSwapsRulesAndKeepsOldOnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pier-acl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "user alice\ntopic read a/#\n".write(toFile: path, atomically: true, encoding: .utf8)
        let acl = try ACLAuthorizer(path: path)
        XCTAssertTrue(acl.canRead(alice, topic: "a/1"))
        XCTAssertFalse(acl.canRead(alice, topic: "b/1"))

        try "user alice\ntopic read b/#\n".write(toFile: path, atomically: true, encoding: .utf8)
        try acl.reload()
        XCTAssertFalse(acl.canRead(alice, topic: "a/1"))
        XCTAssertTrue(acl.canRead(alice, topic: "b/1"))

        try "user alice\ntopic maybe c\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try acl.reload()) { XCTAssertEqual(($0 as? ACLFile.ParseError)?.line, 2) }
        XCTAssertTrue(acl.canRead(alice, topic: "b/1"))
    }

    func testPublishingIntoSysNeedsARuleThatNamesIt() throws {
        let wide = try authorizer("""
            topic readwrite #
            pattern readwrite %c/#
            """)
        XCTAssertTrue(wide.canPublish(anon, topic: "a/b"))
        XCTAssertFalse(wide.mayPublish(anon, topic: "$SYS/broker/uptime"), "a leading # does not grant $SYS")
        let sysClient = ClientIdentity(clientID: "$SYS", username: nil)
        XCTAssertFalse(wide.mayPublish(sysClient, topic: "$SYS/x"), "a %c substitution is not an explicit grant")

        let explicit = try authorizer("""
            topic write $SYS/bridge/#
            user alice
            topic deny $SYS/bridge/secret
            topic write $SYS/#
            """)
        XCTAssertTrue(explicit.mayPublish(anon, topic: "$SYS/bridge/x"))
        XCTAssertFalse(explicit.mayPublish(anon, topic: "$SYS/broker/uptime"))
        XCTAssertTrue(explicit.mayPublish(alice, topic: "$SYS/broker/uptime"))
        XCTAssertFalse(explicit.mayPublish(alice, topic: "$SYS/bridge/secret"), "deny rules still refuse")
        XCTAssertFalse(AllowAllAuthorizer().mayPublish(anon, topic: "$SYS/x"), "without an ACL file nobody may")
        XCTAssertTrue(AllowAllAuthorizer().mayPublish(anon, topic: "$SYSTEM/x"))
    }
}

extension ACLAuthorizerTests {
    func testQueueRulesUseDottedWildcardsDenyFirstPerSection() throws {
        let file = try ACLFile(parsing: """
            queue read public.>
            user alice
            queue readwrite orders.>
            queue deny orders.secret
            queue write audit
            user bob
            topic readwrite b/#
            """)
        let acl = ACLAuthorizer(file: file)
        let alice = ClientIdentity(clientID: "a", username: "alice")
        let bob = ClientIdentity(clientID: "b", username: "bob")
        let anonymous = ClientIdentity(clientID: "x", username: nil)
        XCTAssertTrue(acl.canAccessQueue(alice, queue: "orders.eu.new", write: true))
        XCTAssertTrue(acl.canAccessQueue(alice, queue: "orders.eu.new", write: false))
        XCTAssertFalse(acl.canAccessQueue(alice, queue: "orders.secret", write: false), "deny wins")
        XCTAssertTrue(acl.canAccessQueue(alice, queue: "audit", write: true))
        XCTAssertFalse(acl.canAccessQueue(alice, queue: "audit", write: false), "write-only")
        XCTAssertFalse(acl.canAccessQueue(alice, queue: "public.news", write: false), "a user gets only its own section")
        XCTAssertTrue(acl.canAccessQueue(anonymous, queue: "public.news", write: false))
        XCTAssertFalse(acl.canAccessQueue(anonymous, queue: "public.news", write: true))
        XCTAssertFalse(acl.canAccessQueue(bob, queue: "anything", write: true), "no queue rule for bob")
        XCTAssertTrue(acl.canPublish(bob, topic: "b/x"), "topic rules unchanged")
    }

    func testAFileWithoutQueueRulesLeavesQueuesOpen() throws {
        let acl = ACLAuthorizer(file: try ACLFile(parsing: "user alice\ntopic read a/#\n"))
        XCTAssertTrue(acl.canAccessQueue(ClientIdentity(clientID: "a", username: "alice"), queue: "jobs", write: true))
        XCTAssertFalse(acl.canPublish(ClientIdentity(clientID: "a", username: "alice"), topic: "a/b"))
    }

    func testBadQueueLinesNameTheirLine() {
        XCTAssertThrowsError(try ACLFile(parsing: "queue sometimes jobs\n")) {
            XCTAssertEqual(($0 as? ACLFile.ParseError)?.line, 1)
        }
        XCTAssertThrowsError(try ACLFile(parsing: "\nqueue read jobs.>.x\n")) {
            XCTAssertEqual(($0 as? ACLFile.ParseError)?.line, 2)
        }
    }
}
