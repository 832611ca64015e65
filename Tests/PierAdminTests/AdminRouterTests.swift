import NIOHTTP1
import XCTest

@testable import PierAdmin

final class AdminRouterTests: XCTestCase {
    private func route(_ method: HTTPMethod, _ uri: String) -> Result<AdminRoute, AdminRouter.Refusal> {
        AdminRouter.route(method: method, uri: uri)
    }

    func testListings() {
        XCTAssertEqual(route(.GET, "/api/broker"), .success(.broker))
        XCTAssertEqual(route(.GET, "/api/listeners"), .success(.listeners))
        XCTAssertEqual(route(.GET, "/api/connections"), .success(.connections))
        XCTAssertEqual(route(.GET, "/api/sessions/"), .success(.sessions), "a trailing slash is the same resource")
        XCTAssertEqual(route(.GET, "/api/queues"), .success(.queues))
        XCTAssertEqual(route(.GET, "/api/topics"), .success(.topics))
        XCTAssertEqual(route(.GET, "/api/retained"), .success(.retained))
        XCTAssertEqual(route(.GET, "/api/bridges"), .success(.bridges))
    }

    func testConnectionsAreClosedById() {
        XCTAssertEqual(route(.DELETE, "/api/connections/42"), .success(.closeConnection(id: 42)))
        XCTAssertEqual(route(.DELETE, "/api/connections/x"), .failure(.notFound))
        XCTAssertEqual(route(.GET, "/api/connections/42"), .failure(.methodNotAllowed(allowed: [.DELETE])))
    }

    func testQueueNamesArePercentDecoded() {
        XCTAssertEqual(route(.GET, "/api/queues/ActiveMQ.DLQ"), .success(.queue(name: "ActiveMQ.DLQ")))
        XCTAssertEqual(route(.GET, "/api/queues/a%2Fb%20c"), .success(.queue(name: "a/b c")))
        XCTAssertEqual(route(.GET, "/api/queues/a%zz"), .failure(.badRequest("malformed percent-encoding in path")))
    }

    func testBrowseTakesALimitWithinBounds() {
        XCTAssertEqual(route(.GET, "/api/queues/q/messages"), .success(.browseQueue(name: "q", limit: 100)))
        XCTAssertEqual(route(.GET, "/api/queues/q/messages?limit=5"), .success(.browseQueue(name: "q", limit: 5)))
        for bad in ["0", "-1", "x", "1001"] {
            XCTAssertEqual(route(.GET, "/api/queues/q/messages?limit=\(bad)"),
                           .failure(.badRequest("limit must be an integer from 1 to 1000, got \"\(bad)\"")))
        }
    }

    func testPurgeIsDeleteOnTheMessages() {
        XCTAssertEqual(route(.DELETE, "/api/queues/q/messages"), .success(.purgeQueue(name: "q")))
        XCTAssertEqual(route(.PUT, "/api/queues/q/messages"), .failure(.methodNotAllowed(allowed: [.GET, .DELETE])))
    }

    func testMoveNeedsATargetOtherThanItself() {
        XCTAssertEqual(route(.POST, "/api/queues/ActiveMQ.DLQ/move?to=original"),
                       .success(.moveMessages(from: "ActiveMQ.DLQ", to: "original", limit: .max)))
        XCTAssertEqual(route(.POST, "/api/queues/a/move?to=b&limit=3"), .success(.moveMessages(from: "a", to: "b", limit: 3)))
        XCTAssertEqual(route(.POST, "/api/queues/a/move"), .failure(.badRequest("move needs ?to=QUEUE or ?to=original")))
        XCTAssertEqual(route(.POST, "/api/queues/a/move?to=a"), .failure(.badRequest("cannot move a queue's messages to itself")))
        XCTAssertEqual(route(.GET, "/api/queues/a/move?to=b"), .failure(.methodNotAllowed(allowed: [.POST])))
    }

    func testBridgesArePausedAndResumedByName() {
        XCTAssertEqual(route(.POST, "/api/bridges/up/pause"), .success(.pauseBridge(name: "up")))
        XCTAssertEqual(route(.POST, "/api/bridges/up/resume"), .success(.resumeBridge(name: "up")))
        XCTAssertEqual(route(.GET, "/api/bridges/up/pause"), .failure(.methodNotAllowed(allowed: [.POST])))
        XCTAssertEqual(route(.POST, "/api/bridges/up/stop"), .failure(.notFound))
    }

    func testARetainedTopicIsTheRestOfThePath() {
        XCTAssertEqual(route(.DELETE, "/api/retained/sensors/1/temp"), .success(.clearRetained(topic: "sensors/1/temp")))
        XCTAssertEqual(route(.DELETE, "/api/retained/%24SYS/x"), .success(.clearRetained(topic: "$SYS/x")))
        XCTAssertEqual(route(.GET, "/api/retained/a"), .failure(.methodNotAllowed(allowed: [.DELETE])))
    }

    func testMetricsIsAGetOutsideTheAPI() {
        XCTAssertEqual(route(.GET, "/metrics"), .success(.metrics))
        XCTAssertEqual(route(.GET, "/metrics?name[]=x"), .success(.metrics), "Prometheus's own query parameters are ignored")
        XCTAssertEqual(route(.POST, "/metrics"), .failure(.methodNotAllowed(allowed: [.GET])))
    }

    func testTheLogStreamIsAGet() {
        XCTAssertEqual(route(.GET, "/api/events"), .success(.events))
        XCTAssertEqual(route(.POST, "/api/events"), .failure(.methodNotAllowed(allowed: [.GET])))
        XCTAssertTrue(AdminRoute.events.isStream)
        XCTAssertFalse(AdminRoute.broker.isStream)
    }

    func testTheTailTakesAnMQTTFilter() {
        XCTAssertEqual(route(.GET, "/api/tail?topic=sensors%2F%23"), .success(.tail(filter: "sensors/#")))
        XCTAssertEqual(route(.GET, "/api/tail?topic=a/+/c"), .success(.tail(filter: "a/ /c")), "+ is a space in a query")
        XCTAssertEqual(route(.GET, "/api/tail?topic=a/%2B/c"), .success(.tail(filter: "a/+/c")))
        XCTAssertTrue(AdminRoute.tail(filter: "#").isStream)
    }

    func testTheTailRefusesMissingInvalidAndSharedFilters() {
        for uri in ["/api/tail", "/api/tail?topic=", "/api/tail?topic=a%2F%23%2Fb", "/api/tail?topic=%24share%2Fg%2Fa"] {
            guard case .failure(.badRequest) = route(.GET, uri) else { return XCTFail("\(uri) accepted") }
        }
        XCTAssertEqual(route(.DELETE, "/api/tail?topic=a"), .failure(.methodNotAllowed(allowed: [.GET])))
    }

    func testUnknownPathsAndWrongMethods() {
        XCTAssertEqual(route(.GET, "/"), .failure(.notFound))
        XCTAssertEqual(route(.GET, "/metrics/x"), .failure(.notFound))
        XCTAssertEqual(route(.GET, "/api"), .failure(.notFound))
        XCTAssertEqual(route(.GET, "/api/nothing"), .failure(.notFound))
        XCTAssertEqual(route(.GET, "/api/queues/q/messages/1"), .failure(.notFound))
        XCTAssertEqual(route(.POST, "/api/broker"), .failure(.methodNotAllowed(allowed: [.GET])))
        XCTAssertEqual(route(.RAW(value: "BREW"), "/api/queues"), .failure(.methodNotAllowed(allowed: [.GET])))
        XCTAssertEqual(route(.GET, "*"), .failure(.badRequest("the request target must be an absolute path")))
    }
}
