import Foundation
import NIOCore
import XCTest

@testable import PierBench
@testable import pier

/// `bench --websocket` end to end over loopback: NIO's client upgrader against NIO's server upgrader.
final class WebSocketConnectionTests: XCTestCase {
    private func connector(port: Int, path: String = "/mqtt") -> BenchConnector {
        BenchConnector(target: BenchTarget(port: port, eventLoopThreads: 1,
                                           webSocket: BenchWebSocket(path: path, subprotocol: "mqtt")))
    }

    private func options() -> BenchClientHandler.Options {
        .init(clientID: "ws-test", version: .v3_1_1, keepAlive: 60)
    }

    private func waitFor(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(5)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    func testUpgradeConnectPingAndCloseHandshake() throws {
        let broker = try WebSocketStubBroker(mode: .echo)
        defer { broker.shutdown() }
        let connector = connector(port: broker.port, path: "/mqtt-test")
        defer { connector.shutdown() }

        let channel = try connector.connect(index: 0, options: options()).wait()
        waitFor { broker.record.withLockedValue { $0.pongPayload != nil } }
        connector.disconnect([channel])
        waitFor { broker.record.withLockedValue { $0.closeCode != nil } }

        let r = broker.record.withLockedValue { $0 }
        XCTAssertEqual(r.path, "/mqtt-test")
        XCTAssertEqual(r.offeredProtocol, "mqtt")
        XCTAssertTrue(r.allMasked, "every client frame must be masked")
        XCTAssertEqual(r.pongPayload, WebSocketStubBroker.pingPayload)
        XCTAssertEqual(r.binary.first, 0x10, "CONNECT first")
        XCTAssertEqual(Array(r.binary.suffix(2)), [0xE0, 0x00], "DISCONNECT last")
        XCTAssertEqual(r.closeCode, .normalClosure)
        XCTAssertEqual(r.opcodes.last, .connectionClose)
        XCTAssertEqual(connector.counters().closedUnexpectedly, 0)
    }

    func testMissingSubprotocolFailsTheConnection() throws {
        let broker = try WebSocketStubBroker(mode: .noSubprotocol)
        defer { broker.shutdown() }
        let connector = connector(port: broker.port)
        defer { connector.shutdown() }
        XCTAssertThrowsError(try connector.connect(index: 0, options: options()).wait()) { error in
            XCTAssertTrue("\(error)".contains("subprotocol mqtt"), "\(error)")
        }
    }

    func testRefusedUpgradeFailsWithTheStatus() throws {
        let broker = try WebSocketStubBroker(mode: .refuse)
        defer { broker.shutdown() }
        let connector = connector(port: broker.port)
        defer { connector.shutdown() }
        XCTAssertThrowsError(try connector.connect(index: 0, options: options()).wait()) { error in
            XCTAssertTrue("\(error)".contains("refused: 400"), "\(error)")
        }
    }

    func testWebSocketOptionsParseAndReachWorkers() throws {
        let target = BenchTarget(port: 8083, webSocket: BenchWebSocket(path: "/ws", subprotocol: "mqttv3.1"))
        XCTAssertEqual(target.brokerName, "ws://127.0.0.1:8083/ws (mqttv3.1)")
        let args = ConnRunner.workerArguments(target: target, config: ConnConfig(connections: 10), first: 0,
                                              connections: 10, workers: 1)
        XCTAssertEqual(Array(args.suffix(5)), ["--websocket", "--ws-path", "/ws", "--ws-subprotocol", "mqttv3.1"])
        XCTAssertThrowsError(try BenchTarget(webSocket: BenchWebSocket(path: "mqtt")).validate())
        XCTAssertThrowsError(try BenchTarget(webSocket: BenchWebSocket(subprotocol: "a b")).validate())
        XCTAssertThrowsError(try BenchTarget(webSocket: BenchWebSocket(subprotocol: "")).validate())

        let plain = try BenchCommand.PubSub.parse([]).target.target()
        XCTAssertNil(plain.webSocket)
        let ws = try BenchCommand.PubSub.parse(["--websocket"]).target.target()
        XCTAssertEqual(ws.webSocket, BenchWebSocket(path: "/mqtt", subprotocol: "mqtt"))
        let custom = try BenchCommand.Conn.parse(["--websocket", "--ws-path", "/x", "--ws-subprotocol", "mqttv3.1"])
        XCTAssertEqual(try custom.target.target().webSocket, BenchWebSocket(path: "/x", subprotocol: "mqttv3.1"))
        XCTAssertThrowsError(try BenchCommand.Sub.parse(["--websocket", "--ws-path", "nope"]))
    }
}
