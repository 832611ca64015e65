import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PierAMQP
import XCTest

/// Our client against RabbitMQ 3.10 with rabbitmq_amqp1_0, checked through pika (AMQP 0-9-1).
/// One node serves every test in the class: it takes 6–11 s to start.
final class RabbitMQInteropTests: XCTestCase {
    nonisolated(unsafe) private static var node: (dir: String, port: Int)?
    nonisolated(unsafe) private static var startError: String?
    private var group: MultiThreadedEventLoopGroup!

    private static let script = PeerSupport.repositoryRoot.appendingPathComponent("scripts/rabbitmq-node.sh").path
    private static let python = PeerSupport.repositoryRoot.appendingPathComponent(".venv/bin/python").path
    private static let scripts = PeerSupport.repositoryRoot.appendingPathComponent("Tests/PierAMQPTests/Interop/Scripts").path

    override class func setUp() {
        super.setUp()
        guard FileManager.default.fileExists(atPath: "/usr/lib/rabbitmq/bin/rabbitmq-server") else {
            startError = "rabbitmq-server not installed (scripts/install-deps.sh test)"
            return
        }
        do {
            let dir = NSTemporaryDirectory() + "pier-rabbitmq-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let port = try PeerSupport.freePort()
            var epmd = try PeerSupport.freePort()
            var dist = try PeerSupport.freePort()
            while epmd == port { epmd = try PeerSupport.freePort() }
            while dist == port || dist == epmd { dist = try PeerSupport.freePort() }
            let (status, output) = try PeerSupport.run("/bin/bash", [script, "start", dir, String(port), String(epmd), String(dist)])
            if status != 0 {
                let log = (try? String(contentsOfFile: dir + "/await.log", encoding: .utf8)) ?? ""
                startError = "rabbitmq did not start (\(status)): \(output) \(log)"
                _ = try? PeerSupport.run("/bin/bash", [script, "stop", dir])
                return
            }
            node = (dir, port)
        } catch {
            startError = "\(error)"
        }
    }

    override class func tearDown() {
        if let node {
            _ = try? PeerSupport.run("/bin/bash", [script, "stop", node.dir])
            try? FileManager.default.removeItem(atPath: node.dir)
        }
        node = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        // `make test` installs RabbitMQ and creates the venv: missing either is a failure, never a skip.
        guard Self.node != nil else { throw PeerMissing(Self.startError ?? "no RabbitMQ node") }
        guard FileManager.default.isExecutableFile(atPath: Self.python) else { throw PeerMissing("no .venv: run scripts/venv.sh") }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDownWithError() throws {
        try group?.syncShutdownGracefully()
    }

    private func connect() throws -> AMQPConnection {
        try AMQPConnection.connect(host: "127.0.0.1", port: Self.node!.port, user: "guest", password: "guest",
                                   containerID: "pier-bridge-test", group: group).wait()
    }

    private func consume(queue: String, count: Int) throws -> [[String: Any]] {
        let (status, output) = try PeerSupport.run(Self.python, [Self.scripts + "/pika_consume.py", String(Self.node!.port), queue, String(count)])
        XCTAssertEqual(status, 0, output)
        return output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    private func message(_ i: Int) -> AMQPMessage {
        AMQPMessage(
            header: AMQPMessageHeader(durable: true, priority: 5),
            properties: AMQPMessageProperties(messageID: .string("id-\(i)"), correlationID: .string("corr-\(i)"), contentType: "application/json"),
            applicationProperties: ["mqtt-topic": .string("sensors/\(i)/temp"), "index": .long(Int64(i))],
            body: .data([ByteBuffer(string: "{\"t\":\(i)}")]))
    }

    func testMessagesSentToQueueArriveIntactInPika() throws {
        let connection = try connect()
        let queue = "pier-amqp-\(UInt32.random(in: 0...UInt32.max))"
        // Declared through 0-9-1 first, so the AMQP 1.0 plugin's /queue/ address finds a durable queue.
        let (status, output) = try PeerSupport.run(Self.python, [Self.scripts + "/pika_consume.py", String(Self.node!.port), queue, "0"])
        XCTAssertEqual(status, 0, output)
        let sender = try connection.openSender(address: "/queue/\(queue)", durable: true).wait()
        let count = 50
        let outcomes = try EventLoopFuture.whenAllSucceed((0..<count).map { sender.send(message($0)) }, on: connection.eventLoop).wait()
        XCTAssertEqual(outcomes, Array(repeating: .accepted, count: count))
        try connection.close().wait()

        let received = try consume(queue: queue, count: count)
        XCTAssertEqual(received.count, count)
        for (i, m) in received.enumerated() {
            XCTAssertEqual(m["body"] as? String, "{\"t\":\(i)}")
            XCTAssertEqual(m["content_type"] as? String, "application/json")
            XCTAssertEqual(m["correlation_id"] as? String, "corr-\(i)")
            XCTAssertEqual(m["message_id"] as? String, "id-\(i)")
            XCTAssertEqual(m["delivery_mode"] as? Int, 2, "durable header maps to persistent")
            XCTAssertEqual(m["priority"] as? Int, 5)
            // RabbitMQ 3.10 does not map application-properties to 0-9-1 headers: it keeps the
            // section's bytes in x-amqp-1.0-app-properties. Decode them to check they are intact.
            let headers = m["headers"] as? [String: Any]
            let raw = (headers?["x-amqp-1.0-app-properties"] as? String).map { Array($0.unicodeScalars.map { UInt8($0.value) }) }
            var section = ByteBuffer(bytes: raw ?? [])
            XCTAssertEqual(try section.readAMQPValue(),
                           .described(descriptor: .ulong(0x74), value: .map(message(i).applicationProperties!)))
        }
    }

    func testTopicExchangeAddressRoutesByKey() throws {
        let queue = "pier-topic-\(UInt32.random(in: 0...UInt32.max))"
        // Bind a queue to amq.topic with a wildcard, then publish to /exchange/amq.topic/KEY.
        let consumer = Process()
        consumer.executableURL = URL(fileURLWithPath: Self.python)
        consumer.arguments = [Self.scripts + "/pika_consume.py", String(Self.node!.port), queue, "3", "telemetry.*.temp"]
        let stdout = Pipe()
        let stdin = Pipe()
        consumer.standardOutput = stdout
        consumer.standardInput = stdin
        try consumer.run()
        let ready = stdout.fileHandleForReading.availableData
        XCTAssertTrue(String(decoding: ready, as: UTF8.self).contains("ready"))

        let connection = try connect()
        let sender = try connection.openSender(address: "/exchange/amq.topic/telemetry.site1.temp").wait()
        for i in 0..<3 {
            XCTAssertEqual(try sender.send(message(i)).wait(), .accepted)
        }
        stdin.fileHandleForWriting.write(Data("go\n".utf8))
        var output = Data()
        while consumer.isRunning || true {
            let chunk = stdout.fileHandleForReading.readDataToEndOfFile()
            output.append(chunk)
            break
        }
        consumer.waitUntilExit()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "\(lines)")
        for line in lines {
            let m = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(m?["routing_key"] as? String, "telemetry.site1.temp")
        }
        try connection.close().wait()
    }

    func testReceiverGetsPikaPublishedCommandsAndAccepts() throws {
        let queue = "pier-cmd-\(UInt32.random(in: 0...UInt32.max))"
        let (status, output) = try PeerSupport.run(Self.python, [Self.scripts + "/pika_publish.py", String(Self.node!.port), queue, "20"])
        XCTAssertEqual(status, 0, output)
        let connection = try connect()
        let received = NIOLockedValueBox<[AMQPIncomingDelivery]>([])
        let done = connection.eventLoop.makePromise(of: Void.self)
        let box = NIOLockedValueBox<AMQPReceiver?>(nil)
        let receiver = try connection.openReceiver(address: "/queue/\(queue)", credit: 5, durable: true) { delivery in
            box.withLockedValue { $0 }?.accept(delivery)
            if received.withLockedValue({ $0.append(delivery); return $0.count }) == 20 { done.succeed() }
        }.wait()
        box.withLockedValue { $0 = receiver }
        connection.closeFuture.whenSuccess { _ in done.fail(AMQPConnectionError.connectionLost) }
        try done.futureResult.wait(timeout: .seconds(60), "receiving 20 pika-published commands")
        let deliveries = received.withLockedValue { $0 }
        for (i, delivery) in deliveries.enumerated() {
            XCTAssertEqual(delivery.message.body.bytes.map { String(buffer: $0) }, "command-\(i)")
            XCTAssertEqual(delivery.message.properties?.correlationID, .string("c-\(i)"))
            XCTAssertEqual(delivery.message.properties?.contentType, "text/plain")
        }
        try receiver.close().wait()
        try connection.close().wait()
        // Accepted means gone: nothing is left for another consumer.
        let (_, left) = try PeerSupport.run(Self.python, ["-c", """
            import pika; c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', \(Self.node!.port)))
            print(c.channel().queue_declare(queue='\(queue)', durable=True).method.message_count)
            """])
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    func testUnknownExchangeDetachesWithError() throws {
        let connection = try connect()
        XCTAssertThrowsError(try connection.openSender(address: "/exchange/no-such-exchange/key").wait()) { error in
            XCTAssertNotNil(error as? AMQPError, "\(error)")
        }
        try connection.close().wait()
    }

    func testWrongPasswordFailsAuthentication() throws {
        XCTAssertThrowsError(try AMQPConnection.connect(host: "127.0.0.1", port: Self.node!.port, user: "guest", password: "wrong",
                                                        containerID: "pier-bad", group: group).wait()) { error in
            XCTAssertEqual(error as? AMQPConnectionError, .authenticationFailed(.auth))
        }
    }
}

private struct PeerMissing: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
