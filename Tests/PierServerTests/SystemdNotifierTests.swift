import Glibc
import XCTest

@testable import PierServer

final class SystemdNotifierTests: XCTestCase {
    // MARK: Environment

    func testAbsentSocketMeansDisabled() {
        XCTAssertNil(SystemdNotifier(environment: [:]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@"]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]))
    }

    func testWatchdogInterval() throws {
        let base = ["NOTIFY_SOCKET": "/run/systemd/notify"]
        let pid = getpid()

        let plain = try XCTUnwrap(SystemdNotifier(environment: base.merging(["WATCHDOG_USEC": "30000000"]) { $1 }))
        XCTAssertEqual(plain.watchdogInterval, .seconds(30))
        XCTAssertEqual(plain.watchdogPingInterval, .seconds(15))

        let ownPID = try XCTUnwrap(SystemdNotifier(
            environment: base.merging(["WATCHDOG_USEC": "2500", "WATCHDOG_PID": "\(pid)"]) { $1 }))
        XCTAssertEqual(ownPID.watchdogInterval, .microseconds(2500))

        let otherPID = try XCTUnwrap(SystemdNotifier(
            environment: base.merging(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid + 1)"]) { $1 }))
        XCTAssertNil(otherPID.watchdogInterval, "a watchdog addressed to another process is not ours")

        let explicitPID = try XCTUnwrap(SystemdNotifier(
            environment: base.merging(["WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "42"]) { $1 }, pid: 42))
        XCTAssertEqual(explicitPID.watchdogInterval, .seconds(1))

        for bad in ["0", "-5", "abc", "", "1.5"] {
            let notifier = try XCTUnwrap(SystemdNotifier(environment: base.merging(["WATCHDOG_USEC": bad]) { $1 }))
            XCTAssertNil(notifier.watchdogInterval, "WATCHDOG_USEC=\(bad)")
        }
        XCTAssertNil(try XCTUnwrap(SystemdNotifier(environment: base)).watchdogInterval)
    }

    // MARK: Datagrams

    func testSendsToFilesystemSocket() throws {
        let directory = NSTemporaryDirectory() + "pier-notify-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/notify.sock"
        let receiver = try DatagramReceiver(path: path)
        defer { receiver.close() }

        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": path]))
        try assertDelivers(notifier, to: receiver)
    }

    func testSendsToAbstractSocket() throws {
        let name = "pier-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let receiver = try DatagramReceiver(abstractName: name)
        defer { receiver.close() }

        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@" + name]))
        try assertDelivers(notifier, to: receiver)
    }

    func testMissingSocketReportsFailure() throws {
        let notifier = try XCTUnwrap(SystemdNotifier(
            environment: ["NOTIFY_SOCKET": "/nonexistent-\(UUID().uuidString)/notify"]))
        XCTAssertFalse(notifier.ready())
    }

    private func assertDelivers(_ notifier: SystemdNotifier, to receiver: DatagramReceiver) throws {
        XCTAssertTrue(notifier.ready())
        XCTAssertEqual(try receiver.receive(), "READY=1")
        XCTAssertTrue(notifier.watchdog())
        XCTAssertEqual(try receiver.receive(), "WATCHDOG=1")
        XCTAssertTrue(notifier.status("serving 2 listeners\nREADY=0"))
        XCTAssertEqual(try receiver.receive(), "STATUS=serving 2 listeners READY=0")
        XCTAssertTrue(notifier.stopping())
        XCTAssertEqual(try receiver.receive(), "STOPPING=1")
        XCTAssertTrue(notifier.notify("RELOADING=1\nMONOTONIC_USEC=1"))
        XCTAssertEqual(try receiver.receive(), "RELOADING=1\nMONOTONIC_USEC=1")
    }
}

/// The systemd side of the protocol: a bound datagram socket.
private struct DatagramReceiver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32

    init(path: String) throws {
        try self.init(sunPath: Array(path.utf8) + [0])
    }

    init(abstractName: String) throws {
        try self.init(sunPath: [0] + Array(abstractName.utf8))
    }

    private init(sunPath: [UInt8]) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: sunPath) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + sunPath.count)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "bind: \(message)")
        }
    }

    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    func close() {
        Glibc.close(fd)
    }
}
