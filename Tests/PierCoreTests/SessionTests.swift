import XCTest
@testable import PierCore

final class SessionTests: XCTestCase {
    func testNewSession() {
        let session = Session(identity: ClientIdentity(clientID: "c1", username: "u", listener: "tls", remoteAddress: "10.0.0.1"))
        XCTAssertEqual(session.clientID, "c1")
        XCTAssertFalse(session.isConnected)
        XCTAssertEqual(session.queuedCount, 0)
        XCTAssertTrue(session.subscriptionFilters.isEmpty)
        XCTAssertEqual(session.currentIdentity.username, "u")
        XCTAssertEqual(session.currentIdentity.listener, "tls")
        XCTAssertEqual(session.generationForTimers, 0)
    }

    func testAccessorsReflectGuardedState() {
        let session = Session(identity: ClientIdentity(clientID: "c1", username: nil))
        session.lock.withLock {
            session.subscriptions["a/#"] = SubscriptionOptions(qos: .atLeastOnce)
            session.offlineQueue.append(Delivery(message: Message(destination: .topic("a"), payload: .init()), qos: .atLeastOnce, retain: false))
            session.generation = 3
        }
        XCTAssertEqual(session.subscriptionFilters, ["a/#": SubscriptionOptions(qos: .atLeastOnce)])
        XCTAssertEqual(session.queuedCount, 1)
        XCTAssertEqual(session.generationForTimers, 3)
    }
}
