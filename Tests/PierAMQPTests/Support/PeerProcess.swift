import Foundation
import NIOCore
import NIOPosix
import XCTest

/// Helpers to run external AMQP peers for interop tests.
enum PeerSupport {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A TCP port nobody listens on right now (bind to 0, read it, release it).
    static func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return port
    }

    static func waitForPort(_ port: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        while Date() < deadline {
            if let channel = try? ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).wait() {
                try? channel.close().wait()
                return true
            }
            usleep(50_000)
        }
        return false
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        // A file, not a pipe: daemons the command starts (epmd, the Erlang VM) inherit the output
        // descriptor, and a pipe would then never reach end-of-file.
        let outputPath = NSTemporaryDirectory() + "pier-peer-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer {
            try? output.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // waitpid, not waitUntilExit: Foundation sometimes never notices the exit of a script
        // that left daemons behind (the child stays a zombie and waitUntilExit blocks forever).
        var status: Int32 = 0
        while waitpid(process.processIdentifier, &status, 0) == -1 && errno == EINTR {}
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitCode, String(decoding: data, as: UTF8.self))
    }
}

/// The qpid-proton C example broker, built by scripts/build-proton-broker.sh into a temp directory.
final class ProtonBroker {
    let port: Int
    private let process: Process

    static func binary() throws -> String {
        let script = PeerSupport.repositoryRoot.appendingPathComponent("scripts/build-proton-broker.sh").path
        let output = PeerSupport.repositoryRoot.appendingPathComponent(".build-peers/proton-broker").path
        // `make test` installs the examples, so their absence is a failure, never a skip.
        guard FileManager.default.fileExists(atPath: "/usr/share/proton/examples/c/broker.c") else {
            throw NSError(domain: "proton", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: "qpid-proton examples not installed: run scripts/install-deps.sh test"])
        }
        let (status, log) = try PeerSupport.run("/bin/bash", [script, output])
        guard status == 0 else { throw NSError(domain: "proton", code: Int(status), userInfo: [NSLocalizedDescriptionKey: log]) }
        return output
    }

    init() throws {
        let binary = try Self.binary()
        port = try PeerSupport.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["127.0.0.1", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard PeerSupport.waitForPort(port, timeout: 10) else {
            stop()
            throw NSError(domain: "proton", code: 1, userInfo: [NSLocalizedDescriptionKey: "broker did not listen on \(port)"])
        }
    }

    /// Kills by PID only: other brokers from parallel sessions may be running.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
