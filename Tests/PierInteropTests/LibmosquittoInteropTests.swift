import CMosquitto
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Black-box interop: the real `pier` binary, driven by libmosquitto (the C client library).
///
/// The broker is `$PIER_BIN` if set, else `pier` next to the test binary (`.build/debug/pier`).
final class LibmosquittoInteropTests: XCTestCase {
    private var broker: BrokerProcess?
    private var clients: [MosquittoClient] = []

    override class func setUp() {
        super.setUp()
        mosquitto_lib_init()
    }

    override class func tearDown() {
        mosquitto_lib_cleanup()
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        broker = try BrokerProcess.start()
    }

    override func tearDown() {
        for client in clients { client.close() }
        clients.removeAll()
        broker?.stop()
        broker = nil
        super.tearDown()
    }

    // MARK: helpers

    private func client(_ prefix: String, version: Int32 = MQTT_PROTOCOL_V311) throws -> MosquittoClient {
        let port = try XCTUnwrap(broker).port
        let c = try MosquittoClient(id: "\(prefix)-\(UUID().uuidString.prefix(8))", version: version)
        clients.append(c)
        try c.connect(port: port, pump: pump)
        return c
    }

    /// Run every client's network loop until `condition` holds or `timeout` passes.
    @discardableResult
    private func pump(timeout: TimeInterval = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            for c in clients { c.loopOnce() }
        }
        return condition()
    }

    private func roundTrip(version: Int32, qos: Int32) throws {
        let topic = "lib/\(version)/\(qos)/\(UUID().uuidString.prefix(8))"
        let sub = try client("sub", version: version)
        let granted = try sub.subscribe(topic, qos: qos, pump: pump)
        XCTAssertEqual(granted, qos)
        let pub = try client("pub", version: version)
        let payload = "hello qos \(qos) v\(version)"
        try pub.publish(topic, payload: payload, qos: qos, pump: pump)
        XCTAssertTrue(pump { sub.collector.messages.count >= 1 }, "no message delivered")
        let messages = sub.collector.messages
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages.first?.topic, topic)
        XCTAssertEqual(messages.first?.payload, payload)
        XCTAssertEqual(messages.first?.qos, qos)
        XCTAssertEqual(messages.first?.retain, false)
    }

    private func retained(version: Int32) throws {
        let topic = "lib/retained/\(UUID().uuidString.prefix(8))"
        let pub = try client("rpub", version: version)
        try pub.publish(topic, payload: "kept", qos: 1, retain: true, pump: pump)
        let sub = try client("rsub", version: version)
        _ = try sub.subscribe(topic, qos: 1, pump: pump)
        XCTAssertTrue(pump { sub.collector.messages.count >= 1 }, "retained message not delivered")
        XCTAssertEqual(sub.collector.messages.first?.payload, "kept")
        XCTAssertEqual(sub.collector.messages.first?.retain, true)

        // an empty retained publish clears it
        try pub.publish(topic, payload: "", qos: 1, retain: true, pump: pump)
        let late = try client("rlate", version: version)
        _ = try late.subscribe(topic, qos: 1, pump: pump)
        try pub.publish(topic, payload: "live", qos: 1, pump: pump)
        XCTAssertTrue(pump { late.collector.messages.count >= 1 })
        XCTAssertEqual(late.collector.messages.map(\.payload), ["live"])
    }

    // MARK: tests

    func testQoS0MQTT311() throws { try roundTrip(version: MQTT_PROTOCOL_V311, qos: 0) }
    func testQoS1MQTT311() throws { try roundTrip(version: MQTT_PROTOCOL_V311, qos: 1) }
    func testQoS2MQTT311() throws { try roundTrip(version: MQTT_PROTOCOL_V311, qos: 2) }
    func testQoS0MQTT5() throws { try roundTrip(version: MQTT_PROTOCOL_V5, qos: 0) }
    func testQoS1MQTT5() throws { try roundTrip(version: MQTT_PROTOCOL_V5, qos: 1) }
    func testQoS2MQTT5() throws { try roundTrip(version: MQTT_PROTOCOL_V5, qos: 2) }
    func testRetainedMQTT311() throws { try retained(version: MQTT_PROTOCOL_V311) }
    func testRetainedMQTT5() throws { try retained(version: MQTT_PROTOCOL_V5) }

    func testManyQoS1MessagesInOrder() throws {
        let topic = "lib/order/\(UUID().uuidString.prefix(8))"
        let sub = try client("osub", version: MQTT_PROTOCOL_V5)
        _ = try sub.subscribe(topic, qos: 1, pump: pump)
        let pub = try client("opub", version: MQTT_PROTOCOL_V5)
        for i in 0..<50 { try pub.publish(topic, payload: "m\(i)", qos: 1, pump: pump) }
        XCTAssertTrue(pump { sub.collector.messages.count >= 50 })
        XCTAssertEqual(sub.collector.messages.map(\.payload), (0..<50).map { "m\($0)" })
    }
}

// MARK: - libmosquitto client

struct ReceivedMessage: Sendable {
    var topic: String
    var payload: String
    var qos: Int32
    var retain: Bool
}

/// State shared with libmosquitto's C callbacks through the `userdata` pointer.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var _messages: [ReceivedMessage] = []
    private var _connectResult: Int32?
    private var _published: Set<Int32> = []
    private var _granted: [Int32: Int32] = [:]

    var messages: [ReceivedMessage] { lock.withLock { _messages } }
    var connectResult: Int32? { lock.withLock { _connectResult } }
    func isPublished(_ mid: Int32) -> Bool { lock.withLock { _published.contains(mid) } }
    func granted(_ mid: Int32) -> Int32? { lock.withLock { _granted[mid] } }

    func didConnect(_ rc: Int32) { lock.withLock { _connectResult = rc } }
    func didPublish(_ mid: Int32) { lock.withLock { _ = _published.insert(mid) } }
    func didSubscribe(_ mid: Int32, _ qos: Int32) { lock.withLock { _granted[mid] = qos } }
    func didReceive(_ m: ReceivedMessage) { lock.withLock { _messages.append(m) } }
}

private func collectorFrom(_ userdata: UnsafeMutableRawPointer?) -> Collector {
    Unmanaged<Collector>.fromOpaque(userdata!).takeUnretainedValue()
}

struct MosquittoError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String, _ rc: Int32) {
        description = "\(what): \(String(cString: mosquitto_strerror(rc)))"
    }
    init(_ what: String) { description = what }
}

final class MosquittoClient {
    let collector = Collector()
    private let handle: OpaquePointer

    init(id: String, version: Int32) throws {
        // passUnretained: `collector` is owned by self and outlives the handle.
        let userdata = Unmanaged.passUnretained(collector).toOpaque()
        guard let h = mosquitto_new(id, true, userdata) else { throw MosquittoError("mosquitto_new failed") }
        handle = h
        let rc = mosquitto_int_option(h, MOSQ_OPT_PROTOCOL_VERSION, version)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MosquittoError("protocol version", rc) }

        mosquitto_connect_callback_set(h) { _, userdata, rc in collectorFrom(userdata).didConnect(rc) }
        mosquitto_publish_callback_set(h) { _, userdata, mid in collectorFrom(userdata).didPublish(mid) }
        mosquitto_subscribe_callback_set(h) { _, userdata, mid, count, granted in
            collectorFrom(userdata).didSubscribe(mid, count > 0 ? granted![0] : -1)
        }
        mosquitto_message_callback_set(h) { _, userdata, message in
            guard let m = message?.pointee else { return }
            let bytes = m.payload.map {
                Array(UnsafeRawBufferPointer(start: $0, count: Int(m.payloadlen)))
            } ?? []
            collectorFrom(userdata).didReceive(ReceivedMessage(
                topic: String(cString: m.topic), payload: String(decoding: bytes, as: UTF8.self),
                qos: m.qos, retain: m.retain))
        }
    }

    func loopOnce() {
        _ = mosquitto_loop(handle, 20, 1)
    }

    func connect(port: Int, pump: (TimeInterval, () -> Bool) -> Bool) throws {
        let rc = mosquitto_connect(handle, "127.0.0.1", Int32(port), 30)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MosquittoError("connect", rc) }
        guard pump(10, { self.collector.connectResult != nil }) else { throw MosquittoError("no CONNACK") }
        guard collector.connectResult == 0 else {
            throw MosquittoError("CONNACK refused with \(collector.connectResult!)")
        }
    }

    func subscribe(_ topic: String, qos: Int32, pump: (TimeInterval, () -> Bool) -> Bool) throws -> Int32 {
        var mid: Int32 = 0
        let rc = mosquitto_subscribe(handle, &mid, topic, qos)
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MosquittoError("subscribe", rc) }
        guard pump(10, { self.collector.granted(mid) != nil }) else { throw MosquittoError("no SUBACK") }
        return collector.granted(mid)!
    }

    /// Publish and wait for libmosquitto's on_publish: sent (QoS 0), PUBACK (1) or PUBCOMP (2).
    func publish(_ topic: String, payload: String, qos: Int32, retain: Bool = false,
                 pump: (TimeInterval, () -> Bool) -> Bool) throws {
        var mid: Int32 = 0
        let bytes = Array(payload.utf8)
        let rc = bytes.withUnsafeBytes {
            mosquitto_publish(handle, &mid, topic, Int32(bytes.count), $0.baseAddress, qos, retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MosquittoError("publish", rc) }
        guard pump(10, { self.collector.isPublished(mid) }) else {
            throw MosquittoError("publish of mid \(mid) to \(topic) never completed")
        }
    }

    func close() {
        _ = mosquitto_disconnect(handle)
        _ = mosquitto_loop(handle, 10, 1)
        mosquitto_destroy(handle)
    }
}

// MARK: - broker process

final class BrokerProcess {
    let process: Process
    let port: Int
    let directory: URL

    static func binary() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["PIER_BIN"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle(for: BrokerProcess.self).bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("pier") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw MosquittoError("pier binary not found (set PIER_BIN); looked at \(candidates.map(\.path))")
        }
        return found
    }

    static func start() throws -> BrokerProcess {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("pier-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"),
                                                withIntermediateDirectories: true)
        let port = try freePort()
        let config = """
            data_dir: \(dir.appendingPathComponent("data").path)
            listeners:
              - protocol: mqtt
                transport: tcp
                bind: 127.0.0.1
                port: \(port)
                allow_anonymous: true
            limits:
              max_packet_size: 1048576
              max_inflight: 20
              receive_maximum: 100
              max_queued_messages: 1000
              max_keepalive: 3600
              topic_alias_maximum: 10
              connect_timeout: 10
            sys:
              interval: 1

            """
        let configURL = dir.appendingPathComponent("config.yaml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)

        let stderrURL = dir.appendingPathComponent("broker.stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["serve", "--config", configURL.path]
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        let broker = BrokerProcess(process: process, port: port, directory: dir)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
                throw MosquittoError("pier exited with \(process.terminationStatus) during start-up:\n\(log)")
            }
            if canConnect(port: port) { return broker }
            usleep(50_000)
        }
        broker.stop()
        throw MosquittoError("pier did not listen on \(port) within 10 s")
    }

    private init(process: Process, port: Int, directory: URL) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// SIGTERM by PID, SIGKILL after 5 s.
    func stop() {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func loopbackAddress(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    private static func tcpSocket() -> Int32 {
        #if canImport(Glibc)
        return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        return socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    static func freePort() throws -> Int {
        let fd = tcpSocket()
        guard fd >= 0 else { throw MosquittoError("socket() failed") }
        defer { close(fd) }
        var addr = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw MosquittoError("bind() failed") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = tcpSocket()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopbackAddress(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
