import XCTest
@testable import PierClient

final class AdminOperationTests: XCTestCase {
    private func ok(_ json: String) -> AdminHTTPResponse { AdminHTTPResponse(status: 200, body: Array(json.utf8)) }

    func testEachOperationAsksTheMatchingEndpoint() {
        let cases: [(AdminOperation, [String])] = [
            (.status, ["GET /api/broker", "GET /api/listeners"]),
            (.connections, ["GET /api/connections"]),
            (.closeConnection(id: 7), ["DELETE /api/connections/7"]),
            (.queues, ["GET /api/queues"]),
            (.browse(queue: "q", limit: nil), ["GET /api/queues/q/messages"]),
            (.browse(queue: "q", limit: 5), ["GET /api/queues/q/messages?limit=5"]),
            (.purge(queue: "q"), ["DELETE /api/queues/q/messages"]),
            (.move(queue: "ActiveMQ.DLQ", to: "original", limit: nil), ["POST /api/queues/ActiveMQ.DLQ/move?to=original"]),
            (.move(queue: "a", to: "b", limit: 2), ["POST /api/queues/a/move?to=b&limit=2"]),
            (.bridges, ["GET /api/bridges"]),
            (.pauseBridge(name: "up"), ["POST /api/bridges/up/pause"]),
            (.resumeBridge(name: "up"), ["POST /api/bridges/up/resume"]),
            (.retained, ["GET /api/retained"]),
        ]
        for (operation, expected) in cases {
            XCTAssertEqual(operation.requests.map { "\($0.method.rawValue) \($0.target)" }, expected, "\(operation)")
        }
    }

    func testJSONIsPrintedAsTheAPISentIt() throws {
        let body = #"[{"consumers":0,"depth":3,"in_flight":0,"name":"orders"}]"#
        XCTAssertEqual(try AdminOperation.queues.output(for: [ok(body)], json: true, user: nil), body + "\n")
        let status = try AdminOperation.status.output(for: [ok(#"{"version":"1"}"#), ok("[]")], json: true, user: nil)
        XCTAssertEqual(status, #"{"broker":{"version":"1"},"listeners":[]}"# + "\n")
        XCTAssertEqual(try AdminOperation.closeConnection(id: 1).output(for: [AdminHTTPResponse(status: 204, body: [])], json: true, user: nil), "")
    }

    func testRefusalsBecomeDistinctFailures() {
        func failure(_ status: Int, _ body: String = "", user: String? = "alice") -> AdminFailure? {
            do {
                _ = try AdminOperation.purge(queue: "q").output(for: [AdminHTTPResponse(status: status, body: Array(body.utf8))],
                                                                 json: false, user: user)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(failure(401, #"{"error":"credentials required"}"#, user: nil)?.exitCode, 4)
        XCTAssertTrue(failure(401, user: nil)!.description.contains("--user and --password"))
        XCTAssertTrue(failure(401)!.description.contains("password of user alice"))
        XCTAssertEqual(failure(403)?.exitCode, 5)
        XCTAssertTrue(failure(403)!.description.contains("`admin` line"))
        XCTAssertEqual(failure(404, #"{"error":"no queue q"}"#), .notFound("no queue q"))
        XCTAssertEqual(failure(400, #"{"error":"limit must be an integer"}"#), .failed("the admin API answered 400: limit must be an integer"))
        XCTAssertEqual(failure(502, "<html>")?.exitCode, 1)
        XCTAssertEqual(failure(200, "not json")?.exitCode, 1)
    }

    func testQueuesAsATable() throws {
        let body = #"[{"consumers":0,"depth":3,"in_flight":0,"name":"orders"},{"consumers":2,"depth":120,"in_flight":4,"name":"jobs"}]"#
        XCTAssertEqual(try AdminOperation.queues.output(for: [ok(body)], json: false, user: nil), """
            NAME    DEPTH  IN FLIGHT  CONSUMERS
            orders      3          0          0
            jobs      120          4          2

            """)
    }

    func testStatusShowsCountsAndListeners() throws {
        let broker = #"""
            {"connections":2,"data_dir":"/var/lib/pier","ha_role":"active","messages_received":10,"messages_sent":7,
             "queue_acknowledged":1,"queue_dead_lettered":0,"queue_enqueued":4,"queues":3,"retained":1,"sessions":1,
             "started_at":1764633600000,"subscriptions":2,"uptime_seconds":3725,"version":"0.9.0"}
            """#
        let listeners = #"[{"bind":"127.0.0.1","name":"mqtt-1883","port":1883,"protocol":"mqtt","transport":"tcp"}]"#
        let text = try AdminOperation.status.output(for: [ok(broker), ok(listeners)], json: false, user: nil)
        XCTAssertEqual(text, """
            version:        0.9.0
            uptime:         1h 2m 5s
            ha role:        active
            data dir:       /var/lib/pier
            connections:    2
            sessions:       1
            subscriptions:  2
            retained:       1
            queues:         3
            messages:       10 received, 7 sent
            queue messages: 4 enqueued, 1 acknowledged, 0 dead-lettered
            listeners:
              NAME       PROTOCOL  TRANSPORT  ADDRESS
              mqtt-1883  mqtt      tcp        127.0.0.1:1883

            """)
    }

    func testBrowseShowsBodiesPropertiesAndBinarySizes() throws {
        let body = #"""
            [{"destination":"queue://q","id":5,"payload":"line1\nline2","payload_base64":"bGluZTEKbGluZTI=","persistent":true,
              "priority":4,"properties":{"originalDestination":"queue://jobs","colour":"blue","my_prop":"x"},"redelivery_count":1},
             {"destination":"queue://q","payload":null,"payload_base64":"/wA=","persistent":false,"priority":0,"properties":{},
              "redelivery_count":0}]
            """#
        XCTAssertEqual(try AdminOperation.browse(queue: "q", limit: nil).output(for: [ok(body)], json: false, user: nil), """
            ID  PRIORITY  PERSISTENT  REDELIVERIES  PROPERTIES                                              PAYLOAD
             5         4  yes                    1  colour=blue my_prop=x originalDestination=queue://jobs  line1\\nline2
             -         0  no                     0  -                                                       (binary, 2 bytes)

            """)
    }

    func testConnectionsBridgesAndRetained() throws {
        let connections = #"""
            [{"client_id":"dev-1","connected_since":1764633600000,"id":12,"listener":"mqtt-1883","protocol":"mqtt",
              "remote_address":"127.0.0.1:50000","user":"alice"}]
            """#
        XCTAssertEqual(try AdminOperation.connections.output(for: [ok(connections)], json: false, user: nil), """
            ID  PROTOCOL  LISTENER   CLIENT ID  USER   REMOTE ADDRESS   CONNECTED SINCE
            12  mqtt      mqtt-1883  dev-1      alice  127.0.0.1:50000  2025-12-02 00:00:00Z

            """)
        let bridge = #"""
            {"backlog_bytes":10,"backlog_messages":1,"connected":true,"connected_address":"amqp://up:5672","dead_lettered":0,
             "dropped":0,"forwarded":3,"name":"up","paused":true}
            """#
        XCTAssertEqual(try AdminOperation.pauseBridge(name: "up").output(for: [ok(bridge)], json: false, user: nil), """
            NAME  STATE   UPLINK          BACKLOG  BACKLOG BYTES  FORWARDED  DROPPED  DEAD LETTERED
            up    paused  amqp://up:5672        1             10          3        0              0

            """)
        let retained = #"[{"bytes":4,"expires_at":null,"payload":"21.5","qos":1,"topic":"sensors/a/temp"}]"#
        XCTAssertEqual(try AdminOperation.retained.output(for: [ok(retained)], json: false, user: nil), """
            TOPIC           QOS  BYTES  EXPIRES  PAYLOAD
            sensors/a/temp    1      4  never    21.5

            """)
    }

    func testWritesSayWhatTheyDid() throws {
        XCTAssertEqual(try AdminOperation.purge(queue: "q").output(for: [ok(#"{"purged":3}"#)], json: false, user: nil),
                       "purged 3 messages from q\n")
        XCTAssertEqual(try AdminOperation.move(queue: "ActiveMQ.DLQ", to: "original", limit: nil)
            .output(for: [ok(#"{"moved":1}"#)], json: false, user: nil), "moved 1 message from ActiveMQ.DLQ to their original queues\n")
        XCTAssertEqual(try AdminOperation.closeConnection(id: 9).output(for: [AdminHTTPResponse(status: 204, body: [])], json: false, user: nil),
                       "closed connection 9\n")
    }
}
