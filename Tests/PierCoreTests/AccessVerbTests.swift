import XCTest

@testable import PierCore

/// Records which question the verb mapping asked.
private struct AskingAuthorizer: Authorizer {
    var allow: Set<String>
    func canPublish(_ identity: ClientIdentity, topic: String) -> Bool { allow.contains("pub \(topic)") }
    func canSubscribe(_ identity: ClientIdentity, filter: String) -> Bool { allow.contains("sub \(filter)") }
    func canRead(_ identity: ClientIdentity, topic: String) -> Bool { allow.contains("read \(topic)") }
    func canAccessQueue(_ identity: ClientIdentity, queue: String, write: Bool) -> Bool { allow.contains("\(write ? "w" : "r") \(queue)") }
}

final class AccessVerbTests: XCTestCase {
    private let me = ClientIdentity(clientID: "c", username: "u")

    func testTopicsMapOntoPublishAndSubscribeRules() {
        let a = AskingAuthorizer(allow: ["pub a/b", "sub a/#"])
        XCTAssertTrue(a.authorize(me, .publish, .topic("a/b")))
        XCTAssertFalse(a.authorize(me, .publish, .topic("a/c")))
        XCTAssertTrue(a.authorize(me, .subscribe, .topic("a/#")))
        XCTAssertTrue(a.authorize(me, .consume, .topic("a/#")), "a durable subscription consumes what it may subscribe to")
        XCTAssertFalse(a.authorize(me, .subscribe, .topic("#")))
    }

    func testQueuesMapOntoWriteAndRead() {
        let a = AskingAuthorizer(allow: ["w jobs", "r results"])
        XCTAssertTrue(a.authorize(me, .publish, .queue("jobs")))
        XCTAssertFalse(a.authorize(me, .consume, .queue("jobs")))
        XCTAssertTrue(a.authorize(me, .consume, .queue("results")))
        XCTAssertTrue(a.authorize(me, .browse, .queue("results")))
        XCTAssertFalse(a.authorize(me, .publish, .queue("results")))
    }

    func testAuthorizersThatKnowOnlyTopicsLeaveQueuesOpen() {
        XCTAssertTrue(AllowAllAuthorizer().authorize(me, .consume, .queue("anything")))
    }
}
