import XCTest

/// Checks `systemd/pier.service` with systemd's own parser.
///
/// `systemd-analyze verify` exits 0 even for unknown keys or bad values (it
/// only logs them), so any output at all counts as a failure here.
final class SystemdUnitTests: XCTestCase {
    private static let repoRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    private static let installedBinary = "/usr/local/bin/pier"

    func testUnitFileVerifiesCleanly() throws {
        let analyze = try Self.systemdAnalyze()
        let unit = try String(contentsOfFile: Self.repoRoot + "/systemd/pier.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=\(Self.installedBinary) serve --config /etc/pier/pier.yaml"))

        let (status, output) = try Self.verify(unit: unit, with: analyze)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "", "systemd-analyze reported problems")
    }

    /// The pair member's unit: waits as standby without timing out, and restarts after a fence.
    func testPairUnitFileVerifiesCleanly() throws {
        let analyze = try Self.systemdAnalyze()
        let unit = try String(contentsOfFile: Self.repoRoot + "/systemd/pier-pair.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=\(Self.installedBinary) serve --config /etc/pier/pier.yaml"))
        XCTAssertTrue(unit.contains("TimeoutStartSec=infinity"))
        XCTAssertTrue(unit.contains("Restart=on-failure"))
        let (status, output) = try Self.verify(unit: unit, with: analyze)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "", "systemd-analyze reported problems")
    }

    /// Proves the check above can fail: a misspelt key must produce output.
    func testVerifierCatchesMistakes() throws {
        let analyze = try Self.systemdAnalyze()
        let unit = try String(contentsOfFile: Self.repoRoot + "/systemd/pier.service", encoding: .utf8)
        let broken = unit.replacingOccurrences(of: "WatchdogSec=30", with: "WatchdogSecs=30")
        XCTAssertNotEqual(broken, unit)
        let (_, output) = try Self.verify(unit: broken, with: analyze)
        XCTAssertTrue(output.contains("WatchdogSecs"), output)
    }

    private static func systemdAnalyze() throws -> String {
        for candidate in ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("systemd-analyze is not installed (package: systemd); the unit file was not verified")
    }

    /// verify insists that ExecStart's binary exists, and the real one is only
    /// there after installation, so a copy of the unit points at a stand-in.
    private static func verify(unit: String, with analyze: String) throws -> (Int32, String) {
        let directory = NSTemporaryDirectory() + "pier-unit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let standIn = directory + "/pier"
        try "#!/bin/sh\nexit 0\n".write(toFile: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn)
        let unitPath = directory + "/pier.service"
        try unit.replacingOccurrences(of: "ExecStart=\(installedBinary) ", with: "ExecStart=\(standIn) ")
            .write(toFile: unitPath, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no", unitPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
