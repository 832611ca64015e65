import PierServer
import XCTest
@testable import PierImport

final class MosquittoImportTests: XCTestCase {
    private func translate(_ text: String, files: [String: String] = [:], dirs: [String: [String]] = [:]) throws
        -> (config: PierConfig, result: MosquittoImport) {
        let reader = MosquittoConfReader(readFile: { files[$0] }, listDirectory: { dirs[$0] })
        let result = MosquittoImport(text: text, file: "mosquitto.conf", reader: reader)
        return (try PierConfig.parse(yaml: result.yaml), result)
    }

    func testNoListenerMeansLocalOnlyAnonymousInMemory() throws {
        let (config, result) = try translate("# nothing but comments\n\n")
        XCTAssertEqual(result.notes, [])
        XCTAssertEqual(config.listeners.count, 1)
        XCTAssertEqual(config.listeners[0].bind, "127.0.0.1")
        XCTAssertEqual(config.listeners[0].port, 1883)
        XCTAssertTrue(config.listeners[0].allowAnonymous)
        XCTAssertEqual(config.storage.engine, .memory)
    }

    func testListenersTLSAndWebSockets() throws {
        let (config, result) = try translate("""
            listener 1883
            listener 8883 10.0.0.1
            certfile /etc/m/server.crt
            keyfile /etc/m/server.key
            cafile /etc/m/ca.crt
            require_certificate true
            listener 9001
            protocol websockets
            listener 9443
            protocol websockets
            certfile /etc/m/ws.crt
            keyfile /etc/m/ws.key
            """)
        XCTAssertEqual(result.notes, [])
        let l = config.listeners
        XCTAssertEqual(l.map(\.port), [1883, 8883, 9001, 9443])
        XCTAssertEqual(l.map(\.transport), [.tcp, .tls, .ws, .wss])
        XCTAssertEqual(l.map(\.bind), ["0.0.0.0", "10.0.0.1", "0.0.0.0", "0.0.0.0"])
        XCTAssertEqual(l[1].tls?.certFile, "/etc/m/server.crt")
        XCTAssertEqual(l[1].tls?.caFile, "/etc/m/ca.crt")
        XCTAssertEqual(l[1].tls?.requireClientCert, true)
        XCTAssertEqual(l[3].tls?.keyFile, "/etc/m/ws.key")
        // mosquitto 2.0: once a listener is configured, anonymous access is off unless allowed.
        XCTAssertEqual(l.map(\.allowAnonymous), [false, false, false, false])
    }

    func testGlobalAuthAppliesToEveryListener() throws {
        let (config, result) = try translate("""
            listener 1883
            allow_anonymous true
            listener 1884
            password_file /etc/mosquitto/passwd
            acl_file /etc/mosquitto/acl
            """)
        XCTAssertEqual(result.notes, [])
        XCTAssertEqual(config.listeners.map(\.allowAnonymous), [true, true])
        XCTAssertEqual(config.auth.passwordFile, "/etc/mosquitto/passwd")
        XCTAssertEqual(config.auth.aclFile, "/etc/mosquitto/acl")
    }

    func testPerListenerSettings() throws {
        let (config, result) = try translate("""
            per_listener_settings true
            listener 1883 127.0.0.1
            allow_anonymous true
            listener 8883
            password_file /a/passwd
            listener 8884
            password_file /b/passwd
            """)
        XCTAssertEqual(config.listeners.map(\.allowAnonymous), [true, false, false])
        XCTAssertEqual(config.auth.passwordFile, "/a/passwd")
        XCTAssertEqual(result.notes.map(\.line), [7])
        XCTAssertTrue(result.notes[0].message.contains("one password file"))
    }

    func testDefaultListenerFromPortAndBindAddress() throws {
        let (config, _) = try translate("port 1999\nbind_address 192.168.1.5\nallow_anonymous true\n")
        XCTAssertEqual(config.listeners.count, 1)
        XCTAssertEqual(config.listeners[0].port, 1999)
        XCTAssertEqual(config.listeners[0].bind, "192.168.1.5")
        XCTAssertTrue(config.listeners[0].allowAnonymous)
    }

    func testPersistenceAndLimits() throws {
        let (config, result) = try translate("""
            persistence true
            persistence_location /var/lib/mosquitto/
            max_queued_messages 500
            max_queued_bytes 1048576
            max_inflight_messages 0
            max_keepalive 120
            max_packet_size 4096
            persistent_client_expiration 2d
            sys_interval 30
            log_type debug
            listener 1883
            max_connections 200
            listener 1884
            max_connections 50
            """)
        XCTAssertEqual(result.notes, [])
        XCTAssertEqual(config.storage.engine, .log)
        XCTAssertEqual(config.dataDir, "/var/lib/mosquitto/")
        XCTAssertEqual(config.limits.maxQueuedMessages, 500)
        XCTAssertEqual(config.limits.maxQueuedBytes, 1_048_576)
        XCTAssertEqual(config.limits.maxInflight, 65535)
        XCTAssertEqual(config.limits.maxKeepalive, 120)
        XCTAssertEqual(config.limits.maxPacketSize, 4096)
        XCTAssertEqual(config.limits.maxSessionExpiry, 2 * 86_400)
        XCTAssertEqual(config.limits.maxConnections, 250)
        XCTAssertEqual(config.sys.interval, 30)
        XCTAssertEqual(config.logging.level, .debug)
    }

    func testMessageSizeLimitLeavesRoomForTheHeader() throws {
        let (config, _) = try translate("message_size_limit 1000\n")
        XCTAssertEqual(config.limits.maxPacketSize, 1000 + 65_546)
        let (both, result) = try translate("message_size_limit 1000\nmax_packet_size 2000\n")
        XCTAssertEqual(both.limits.maxPacketSize, 2000)
        XCTAssertEqual(result.notes.map(\.directive), ["message_size_limit"])
    }

    func testBridgesAndUnmappableDirectivesAreNamedWithLines() throws {
        let (config, result) = try translate("""
            user mosquitto
            listener 1883
            allow_anonymous true
            mount_point site1/
            log_dest file /var/log/mosquitto/mosquitto.log
            no_such_thing 1
            connection cloud
            address broker.example.com:8883
            topic sensors/# out 1
            bridge_cafile /etc/ca.crt
            remote_username edge
            """)
        XCTAssertEqual(config.listeners.count, 1)
        XCTAssertEqual(result.notes.map(\.line), [1, 4, 5, 6, 7, 8, 9, 10, 11])
        XCTAssertEqual(result.notes.map(\.directive),
                       ["user", "mount_point", "log_dest", "no_such_thing", "connection", "address", "topic", "bridge_cafile", "remote_username"])
        XCTAssertTrue(result.notes[4].message.contains("AMQP 1.0"))
        XCTAssertEqual(result.notes[3].message, "unknown directive")
    }

    func testIncludeDirReadsConfFilesInNameOrder() throws {
        let (config, result) = try translate(
            "listener 1883\ninclude_dir /etc/mosquitto/conf.d\n",
            files: ["/etc/mosquitto/conf.d/b.conf": "listener 2000\n",
                    "/etc/mosquitto/conf.d/a.conf": "allow_anonymous true\nlistener 1999\n",
                    "/etc/mosquitto/conf.d/README": "listener 3000\n"],
            dirs: ["/etc/mosquitto/conf.d": ["b.conf", "README", "a.conf"]])
        XCTAssertEqual(result.notes, [])
        XCTAssertEqual(config.listeners.map(\.port), [1883, 1999, 2000])
        XCTAssertEqual(config.listeners.map(\.allowAnonymous), [true, true, true])
    }

    func testMissingIncludeDirAndBadValuesAreNotes() throws {
        let (_, result) = try translate("include_dir /nope\nmax_keepalive lots\npersistence maybe\nlistener 0 /run/m.sock\nallow_anonymous true\n")
        XCTAssertEqual(result.notes.map(\.line), [1, 2, 3, 4, 5])
        XCTAssertEqual(result.notes[0].message, "cannot read directory /nope")
        XCTAssertEqual(result.notes[3].message, "unix socket listeners are not supported")
        XCTAssertEqual(result.notes[4].message, "belongs to a listener that was not imported")
    }

    func testDurations() {
        XCTAssertEqual(MosquittoImport.duration("1h"), 3600)
        XCTAssertEqual(MosquittoImport.duration("3w"), 3 * 7 * 86_400)
        XCTAssertEqual(MosquittoImport.duration("1y"), 365 * 86_400)
        XCTAssertNil(MosquittoImport.duration("5"))
        XCTAssertNil(MosquittoImport.duration("xd"))
    }
}
