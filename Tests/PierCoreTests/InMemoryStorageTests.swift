import NIOCore
import XCTest
@testable import PierCore

final class InMemoryStorageTests: XCTestCase {
    private func retained(_ topic: String) -> Message {
        Message(destination: .topic(topic), payload: ByteBuffer(string: topic), retain: true)
    }

    func testStartsEmpty() throws {
        let state = try InMemoryStorage().load()
        XCTAssertTrue(state.retained.isEmpty)
        XCTAssertTrue(state.sessions.isEmpty)
    }

    func testRetainedSetAndCleared() throws {
        let storage = InMemoryStorage()
        storage.append(.retainedSet(retained("b")))
        storage.append(.retainedSet(retained("a")))
        storage.append(.retainedSet(retained("c")))
        storage.append(.retainedCleared(topic: "c"))
        XCTAssertEqual(try storage.load().retained.map(\.topic), ["a", "b"])
    }

    func testSessionsSavedReplacedAndDeleted() throws {
        let storage = InMemoryStorage()
        storage.append(.sessionSaved(StoredSession(clientID: "z", username: nil, expiryInterval: 10, subscriptions: [:])))
        storage.append(.sessionSaved(StoredSession(clientID: "a", username: "u", expiryInterval: 10, subscriptions: [:])))
        storage.append(.sessionSaved(StoredSession(clientID: "a", username: "u", expiryInterval: 20,
                                                   subscriptions: ["x/#": SubscriptionOptions(qos: .atLeastOnce)])))
        var sessions = try storage.load().sessions
        XCTAssertEqual(sessions.map(\.clientID), ["a", "z"])
        XCTAssertEqual(sessions[0].expiryInterval, 20)
        XCTAssertEqual(sessions[0].username, "u")
        XCTAssertEqual(sessions[0].subscriptions, ["x/#": SubscriptionOptions(qos: .atLeastOnce)])

        storage.append(.sessionDeleted(clientID: "z"))
        storage.append(.sessionDeleted(clientID: "unknown"))
        sessions = try storage.load().sessions
        XCTAssertEqual(sessions.map(\.clientID), ["a"])
    }
}
