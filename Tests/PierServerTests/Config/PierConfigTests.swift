import Logging
import XCTest

@testable import PierServer

final class PierConfigTests: XCTestCase {
    private static let repoRoot: String = {
        // Tests/PierServerTests/Config/PierConfigTests.swift → repo root
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    // MARK: Defaults

    func testDefaultIsOneAnonymousMQTTListenerOnLoopback() {
        let config = PierConfig.default
        XCTAssertEqual(config.dataDir, "./data")
        XCTAssertEqual(config.listeners.count, 1)
        let listener = config.listeners[0]
        XCTAssertEqual(listener.name, "mqtt-1883")
        XCTAssertEqual(listener.protocol, .mqtt)
        XCTAssertEqual(listener.transport, .tcp)
        XCTAssertEqual(listener.bind, "127.0.0.1")
        XCTAssertEqual(listener.port, 1883)
        XCTAssertTrue(listener.allowAnonymous)
        XCTAssertNil(config.auth.passwordFile)
        XCTAssertNil(config.auth.aclFile)
        XCTAssertEqual(config.limits.maxConnections, 10_000)
        XCTAssertEqual(config.limits.maxPacketSize, 1_048_576)
        XCTAssertEqual(config.limits.maxInflight, 20)
        XCTAssertEqual(config.limits.receiveMaximum, 100)
        XCTAssertEqual(config.limits.maxQueuedMessages, 1000)
        XCTAssertEqual(config.limits.maxQueuedBytes, 64 << 20)
        XCTAssertEqual(config.limits.maxKeepalive, 3600)
        XCTAssertEqual(config.limits.topicAliasMaximum, 10)
        XCTAssertEqual(config.limits.connectTimeout, 10)
        XCTAssertEqual(config.limits.maxSessionExpiry, 86_400)
        XCTAssertEqual(config.sys.interval, 10)
        XCTAssertEqual(config.logging.level, .info)
    }

    func testEmptyInputsMeanDefaults() throws {
        for text in ["", "{}", "# only a comment\n", "\n\n", "auth:\nlimits:\n"] {
            XCTAssertEqual(try PierConfig.parse(yaml: text), .default, "input: \(text.debugDescription)")
        }
    }

    func testEmptyListenerEntryGetsDefaults() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - {}\n  - port: 1884\n")
        XCTAssertEqual(config.listeners, [PierConfig.Listener(), PierConfig.Listener(port: 1884)])
        XCTAssertEqual(config.listeners[1].name, "mqtt-1884")
    }

    func testEmptyListenerListIsAllowed() throws {
        XCTAssertEqual(try PierConfig.parse(yaml: "listeners: []").listeners, [])
    }

    // MARK: A full file

    func testFullFile() throws {
        let yaml = """
            data_dir: /var/lib/pier
            listeners:
              - name: lan
                protocol: mqtt
                transport: tcp
                bind: 0.0.0.0
                port: 1883
                allow_anonymous: false
              - bind: "::1"
                port: 11883
            auth:
              password_file: /etc/pier/passwd
              acl_file: /etc/pier/acl
            limits:
              max_connections: 50000
              max_packet_size: 65536
              max_inflight: 50
              receive_maximum: 200
              max_queued_messages: 0
              max_queued_bytes: 1048576
              max_keepalive: 600
              topic_alias_maximum: 0
              connect_timeout: 5
              max_session_expiry: 4294967295
            sys:
              interval: 0
            logging:
              level: debug
            """
        let config = try PierConfig.parse(yaml: yaml)
        let expected = PierConfig(
            dataDir: "/var/lib/pier",
            listeners: [
                .init(name: "lan", protocol: .mqtt, transport: .tcp, bind: "0.0.0.0", port: 1883, allowAnonymous: false),
                .init(name: "mqtt-11883", bind: "::1", port: 11883),
            ],
            auth: .init(passwordFile: "/etc/pier/passwd", aclFile: "/etc/pier/acl"),
            limits: .init(
                maxConnections: 50_000, maxPacketSize: 65_536, maxInflight: 50, receiveMaximum: 200,
                maxQueuedMessages: 0, maxQueuedBytes: 1_048_576, maxKeepalive: 600, topicAliasMaximum: 0, connectTimeout: 5,
                maxSessionExpiry: .max),
            sys: .init(interval: 0),
            logging: .init(level: .debug))
        XCTAssertEqual(config, expected)
    }

    func testEveryLogLevelParses() throws {
        for level in Logger.Level.allCases {
            XCTAssertEqual(try PierConfig.parse(yaml: "logging: {level: \(level.rawValue)}").logging.level, level)
        }
    }

    func testExampleFileLoads() throws {
        let config = try PierConfig.load(path: Self.repoRoot + "/pier.example.yaml")
        XCTAssertEqual(config.listeners.first?.bind, "0.0.0.0")
        XCTAssertEqual(config.listeners.first?.port, 1883)
        XCTAssertEqual(config.listeners.first?.allowAnonymous, false)
        XCTAssertEqual(config.auth.passwordFile, "/etc/pier/passwd")
        XCTAssertNil(config.auth.aclFile, "README's install steps create no ACL file")
        XCTAssertEqual(config.dataDir, "/var/lib/pier")
    }

    func testLoadReadsAFile() throws {
        let path = try temporaryFile(contents: "listeners:\n  - port: 2883\n")
        XCTAssertEqual(try PierConfig.load(path: path).listeners.map(\.port), [2883])
    }

    // MARK: Errors: exact messages with key paths

    private func assertError(
        _ yaml: String, _ message: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let config = try PierConfig.parse(yaml: yaml)
            XCTFail("expected \(message.debugDescription), parsed \(config)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, message, file: file, line: line)
        }
    }

    func testPortNotANumber() {
        assertError(
            "listeners:\n  - port: abc\n",
            #"listeners[0].port: expected an integer between 1 and 65535, got "abc""#)
    }

    func testPortOutOfRange() {
        assertError("listeners:\n  - port: 70000\n", "listeners[0].port: must be at most 65535")
        assertError("listeners:\n  - port: 0\n", "listeners[0].port: must be at least 1")
    }

    func testQuotedNumberStaysQuoted() {
        assertError(
            "listeners:\n  - port: \"1883\"\n",
            #"listeners[0].port: expected an integer between 1 and 65535, got "1883""#)
    }

    func testYAMLAnchorsAndHexIntegersWork() throws {
        let config = try PierConfig.parse(yaml: "listeners:\n  - port: &p 0x75b\n    bind: ::1\n  - port: *p\n")
        XCTAssertEqual(config.listeners.map(\.port), [1883, 1883])
    }

    func testInflightMustBePositive() {
        assertError("limits:\n  max_inflight: 0\n", "limits.max_inflight: must be at least 1")
    }

    func testUnknownProtocol() {
        assertError(
            "listeners:\n  - port: 1883\n  - protocol: foo\n    port: 1884\n",
            #"listeners[1].protocol: unknown value "foo" (expected one of: mqtt, stomp, openwire, amqp, auto)"#)
    }

    func testUnknownTransport() {
        assertError(
            "listeners:\n  - transport: quic\n",
            #"listeners[0].transport: unknown value "quic" (expected one of: tcp, tls, ws, wss)"#)
    }

    func testUnknownKeyInSection() {
        assertError("limits:\n  max_inflite: 5\n", "limits.max_inflite: unknown key")
    }

    func testUnknownTopLevelKey() {
        assertError("listener:\n  - port: 1\n", "listener: unknown key")
    }

    func testUnknownKeyInListener() {
        assertError(
            "listeners:\n  - port: 1883\n  - port: 1884\n    allow_anon: true\n",
            "listeners[1].allow_anon: unknown key")
    }

    func testDuplicateBindAndPort() {
        assertError(
            "listeners:\n  - name: a\n  - name: b\n",
            "listeners[1]: 127.0.0.1:1883 conflicts with listeners[0] (127.0.0.1:1883)")
    }

    func testWildcardOverlapsLoopback() {
        assertError(
            "listeners:\n  - bind: 127.0.0.1\n    name: lo\n  - bind: 0.0.0.0\n    name: all\n",
            "listeners[1]: 0.0.0.0:1883 conflicts with listeners[0] (127.0.0.1:1883)")
    }

    func testDuplicateListenerName() {
        assertError(
            "listeners:\n  - name: lan\n  - name: lan\n    port: 1884\n",
            #"listeners[1].name: duplicate listener name "lan" (also used by listeners[0])"#)
    }

    func testAllowAnonymousNotABool() {
        assertError(
            "listeners:\n  - allow_anonymous: maybe\n",
            #"listeners[0].allow_anonymous: expected true or false, got "maybe""#)
    }

    func testBadBindAddress() {
        assertError(
            "listeners:\n  - bind: 127.0.0.1:1883\n",
            #"listeners[0].bind: expected an IP address or host name, got "127.0.0.1:1883""#)
        assertError(
            "listeners:\n  - bind: 300.1.1.1\n",
            #"listeners[0].bind: expected an IP address or host name, got "300.1.1.1""#)
    }

    func testUnknownLogLevel() {
        assertError(
            "logging:\n  level: verbose\n",
            #"logging.level: unknown value "verbose" (expected one of: trace, debug, info, notice, warning, error, critical)"#)
    }

    func testSectionThatIsNotAMapping() {
        assertError("limits: 5\n", "limits: expected a mapping, got 5")
        assertError("auth: [a, b]\n", "auth: expected a mapping, got a list")
    }

    func testListenersNotAList() {
        assertError("listeners:\n  port: 1883\n", "listeners: expected a list, got a mapping")
    }

    func testListenerEntryNotAMapping() {
        assertError("listeners:\n  - 1883\n", "listeners[0]: expected a mapping, got 1883")
    }

    func testTopLevelNotAMapping() {
        assertError("just text\n", #"(top level): expected a mapping, got "just text""#)
    }

    func testEmptyStringsRejected() {
        assertError("data_dir: ''\n", "data_dir: must not be empty")
        assertError("auth:\n  password_file: \"\"\n", "auth.password_file: must not be empty")
    }

    func testStringWhereAListWasExpectedForAString() {
        assertError("data_dir: [a]\n", "data_dir: expected a string, got a list")
    }

    func testOtherRanges() {
        assertError("limits:\n  receive_maximum: 65536\n", "limits.receive_maximum: must be at most 65535")
        assertError("limits:\n  max_session_expiry: -1\n", "limits.max_session_expiry: must be at least 0")
        assertError("limits:\n  max_packet_size: 10\n", "limits.max_packet_size: must be at least 64")
        assertError(
            "limits:\n  max_connections: 1.5\n",
            "limits.max_connections: expected an integer of at least 1, got 1.5")
        assertError("sys:\n  interval: -5\n", "sys.interval: must be at least 0")
    }

    func testYAMLSyntaxErrorHasLineAndColumn() {
        assertError(
            "limits:\n  max_inflight: 5\n bad: [\n",
            "line 3, column 2: while parsing a block mapping: did not find expected key")
    }

    func testDuplicateKeyIsASyntaxError() {
        assertError(
            "limits:\n  max_inflight: 5\n  max_inflight: 6\n",
            #"line 2, column 3: mapping has duplicate key "max_inflight""#)
    }

    func testMissingFile() {
        XCTAssertThrowsError(try PierConfig.load(path: "/nonexistent/pier.yaml")) { error in
            XCTAssertEqual("\(error)", "config file /nonexistent/pier.yaml: No such file or directory")
        }
    }

    func testDirectoryInsteadOfFile() {
        XCTAssertThrowsError(try PierConfig.load(path: "/")) { error in
            XCTAssertEqual("\(error)", "config file /: Is a directory")
        }
    }

    func testFileErrorsNameTheFile() throws {
        let path = try temporaryFile(contents: "limits:\n  max_inflight: 0\n")
        XCTAssertThrowsError(try PierConfig.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): limits.max_inflight: must be at least 1")
            XCTAssertEqual((error as? ConfigError)?.keyPath, "limits.max_inflight")
        }
    }

    // MARK: CLI overrides

    func testOverridesReplaceFirstListener() throws {
        var config = try PierConfig.parse(yaml: "listeners:\n  - port: 1883\n  - port: 1884\n")
        try config.applyOverrides(port: 2000, bind: "0.0.0.0", dataDir: "/tmp/pier")
        XCTAssertEqual(config.listeners[0].port, 2000)
        XCTAssertEqual(config.listeners[0].bind, "0.0.0.0")
        XCTAssertEqual(config.listeners[0].name, "mqtt-2000")
        XCTAssertEqual(config.listeners[1].port, 1884)
        XCTAssertEqual(config.dataDir, "/tmp/pier")
    }

    func testOverridesKeepExplicitName() throws {
        var config = try PierConfig.parse(yaml: "listeners:\n  - name: lan\n")
        try config.applyOverrides(port: 2000)
        XCTAssertEqual(config.listeners[0].name, "lan")
        XCTAssertEqual(config.listeners[0].bind, "127.0.0.1")
    }

    func testOverridesCreateListenerWhenNone() throws {
        var config = try PierConfig.parse(yaml: "listeners: []")
        try config.applyOverrides(bind: "::1")
        XCTAssertEqual(config.listeners, [PierConfig.Listener(bind: "::1")])
        var untouched = try PierConfig.parse(yaml: "listeners: []")
        try untouched.applyOverrides(dataDir: "/x")
        XCTAssertEqual(untouched.listeners, [])
    }

    func testOverrideErrors() {
        var config = PierConfig.default
        XCTAssertThrowsError(try config.applyOverrides(port: 70000)) { error in
            XCTAssertEqual("\(error)", "--port: expected an integer between 1 and 65535, got 70000")
        }
        XCTAssertThrowsError(try config.applyOverrides(bind: "a b")) { error in
            XCTAssertEqual("\(error)", #"--bind: expected an IP address or host name, got "a b""#)
        }
        var two = PierConfig(listeners: [.init(port: 1883), .init(port: 1884)])
        XCTAssertThrowsError(try two.applyOverrides(port: 1884)) { error in
            XCTAssertEqual("\(error)", "listeners[1]: 127.0.0.1:1884 conflicts with listeners[0] (127.0.0.1:1884)")
        }
    }

    // MARK: Helpers

    private func temporaryFile(contents: String) throws -> String {
        let directory = NSTemporaryDirectory() + "pier-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pier.yaml"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

final class PierConfigHATests: XCTestCase {
    func testDefaultsFormAPairWithATenthOfASecondPoll() throws {
        let ha = try PierConfig.parse(yaml: "{}").ha
        XCTAssertEqual(ha, PierConfig.HA(mode: .exclusive, pollMs: 100, leaseMs: 100, leaseTimeoutMs: 5000))
        XCTAssertEqual(ha.options.writeWindowMillis, 3750)
    }

    func testReadsEveryKey() throws {
        let ha = try PierConfig.parse(yaml: "ha:\n  mode: refuse\n  poll_ms: 50\n  lease_ms: 200\n  lease_timeout_ms: 2000\n").ha
        XCTAssertEqual(ha, PierConfig.HA(mode: .refuse, pollMs: 50, leaseMs: 200, leaseTimeoutMs: 2000))
    }

    func testRefusesATimeoutThatFitsTooFewRenewals() {
        XCTAssertThrowsError(try PierConfig.parse(yaml: "ha:\n  lease_ms: 500\n  lease_timeout_ms: 1000\n")) {
            XCTAssertTrue("\($0)".contains("ha.lease_timeout_ms"), "\($0)")
        }
        XCTAssertThrowsError(try PierConfig.parse(yaml: "ha:\n  mode: shared\n")) {
            XCTAssertTrue("\($0)".contains("exclusive, refuse"), "\($0)")
        }
    }
}
